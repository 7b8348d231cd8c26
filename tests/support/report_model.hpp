// Test helper: a report built in a test, read into the report model. Model() reads it as
// report::FromJson does after validation, so that a test may hand it a fragment that names only
// what the test is about; Valid() checks it against the whole contract first, as every command
// does.
#pragma once

#include <string>

#include "report/reader.hpp"

namespace poolbench::testing {

inline report::Run Model(const report::Json& j) { return report::FromJson(j); }

inline report::Run Valid(const report::Json& j, const std::string& what = "test report") {
  report::Validate(j, what, report::Expect::kPoolbench);
  return report::FromJson(j);
}

}  // namespace poolbench::testing
