// A mistyped subcommand, option or strategy gets the name that was probably meant
// (harness/cli/suggest.cpp), besides CLI11's own message, with the usage exit status.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;

struct Typo {
  std::vector<std::string> args;
  std::string hint;
};

TEST(SuggestCli, ATypoGetsTheNameMeant) {
  const std::vector<Typo> typos = {
      {{"bnech"}, "'bnech' is not a subcommand; did you mean 'bench'?"},
      {{"benchmark"}, "'benchmark' is not a subcommand (list, check, bench, report, compare"},
      {{"bench", "--threds", "1,2"},
       "'--threds' is not an option of bench; did you mean '--threads'?"},
      {{"bench", "--threads", "1", "--min-tme=3"},
       "'--min-tme' is not an option of bench; did you mean '--min-time'?"},
      {{"history", "shwo"}, "'shwo' is not a subcommand of history; did you mean 'show'?"},
      {{"history", "show", "--dbb", "h.sqlite"},
       "'--dbb' is not an option of history show; did you mean '--db'?"},
      {{"--plugn", "x.so", "list"},
       "'--plugn' is not an option of poolbench; did you mean '--plugin'?"},
      {{"check", "--zzzzzzzz"}, "'--zzzzzzzz' is not an option of check (see check --help)"},
      {{"check", "--strategy", "simdd"}, "'simdd' names no strategy; did you mean 'simd'?"},
  };
  for (const Typo& t : typos) {
    const CliResult r = RunPoolbench(t.args);
    EXPECT_EQ(r.status, 2) << t.args[0] << ":\n" << r.Output();
    EXPECT_TRUE(Contains(r.err, t.hint)) << t.args[0];
  }
}

// A correct command line gets no hint, even with option values that look like names.
TEST(SuggestCli, NoHintWithoutATypo) {
  const CliResult r = RunPoolbench({"list", "--suite", "seeds"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace poolbench
