#include "report/markdown_cell.hpp"

#include <gtest/gtest.h>

namespace poolbench {
namespace {

TEST(MarkdownCell, KeepsTheTableAndTheTextIntact) {
  EXPECT_EQ(MarkdownCell("a|b"), "a\\|b");
  EXPECT_EQ(MarkdownCell("line\nnext\r"), "line next ");
  EXPECT_EQ(MarkdownCell("expected <4x4>"), "expected &lt;4x4&gt;");
  EXPECT_EQ(MarkdownCell("plain `code` 1.5×"), "plain `code` 1.5×");
}

}  // namespace
}  // namespace poolbench
