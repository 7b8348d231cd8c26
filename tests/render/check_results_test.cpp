// check's results for CI dashboards: the JSON lists every check with its verdict, message and
// repro line; the JUnit XML parses (whatever bytes a message holds) with one test suite per
// strategy, a failure per wrong check and a skipped element per unsupported one.
#include "render/check_results.hpp"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <nlohmann/json.hpp>
#include <string>

namespace poolbench::render {
namespace {

CheckRun SampleRun() {
  CheckRun run;
  run.seed = 7;
  run.threads = 2;
  run.problems = 2;
  run.records = {
      {"fast", "max:fwd:f32:nchw:1x1x4x4:k2x2", "pass", "", "poolbench check --problem a"},
      {"naive_loops", "max:fwd:f32:nchw:1x1x4x4:k2x2", "skipped", "is the reference", "r"},
      {"fast", "avg:fwd:f32:nchw:1x1x4x4:k2x2", "FAIL",
       "fast on avg:fwd:f32:nchw:1x1x4x4:k2x2 (seed 7, random inputs): values: 1 of 4 elements "
       "differ, first at (0, 0, 0, 1): got 0 <bad & \"worse\">, want 1\nsecond line",
       "poolbench check --problem avg:fwd:f32:nchw:1x1x4x4:k2x2 --strategy '^fast$'"},
      {"fast", "max:fwd:f32:nchw:1x1x8x8:k2x2", "crashed", "killed by signal 11", "r2"},
  };
  return run;
}

TEST(CheckResultsTest, JsonHasEveryCheckAndTheCounts) {
  const auto j = nlohmann::json::parse(CheckJson(SampleRun()));
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["passed"], 1);
  EXPECT_EQ(j["failed"], 2) << "a crash is a failure";
  EXPECT_EQ(j["skipped"], 1);
  EXPECT_EQ(j["strategies"]["fast"], nlohmann::json({{"pass", 1}, {"fail", 2}, {"skipped", 0}}));
  ASSERT_EQ(j["checks"].size(), 4u);
  const auto& fail = j["checks"][2];
  EXPECT_EQ(fail["verdict"], "FAIL");
  EXPECT_EQ(fail["problem"], "avg:fwd:f32:nchw:1x1x4x4:k2x2");
  EXPECT_NE(fail["message"].get<std::string>().find("first at (0, 0, 0, 1)"), std::string::npos);
  EXPECT_EQ(fail["repro"],
            "poolbench check --problem avg:fwd:f32:nchw:1x1x4x4:k2x2 --strategy '^fast$'");
}

TEST(CheckResultsTest, JunitHasASuitePerStrategyAndAFailurePerWrongCheck) {
  const std::string xml = CheckJunit(SampleRun());
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  const tinyxml2::XMLElement* suites = doc.FirstChildElement("testsuites");
  ASSERT_NE(suites, nullptr);
  EXPECT_EQ(suites->IntAttribute("tests"), 4);
  EXPECT_EQ(suites->IntAttribute("failures"), 2);
  EXPECT_EQ(suites->IntAttribute("skipped"), 1);
  const tinyxml2::XMLElement* fast = suites->FirstChildElement("testsuite");
  ASSERT_NE(fast, nullptr);
  EXPECT_STREQ(fast->Attribute("name"), "fast");
  EXPECT_EQ(fast->IntAttribute("tests"), 3);
  EXPECT_EQ(fast->IntAttribute("failures"), 2);
  const tinyxml2::XMLElement* first = fast->FirstChildElement("testcase");
  EXPECT_STREQ(first->Attribute("name"), "max:fwd:f32:nchw:1x1x4x4:k2x2");
  EXPECT_EQ(first->FirstChildElement(), nullptr) << "a pass has no child";
  const tinyxml2::XMLElement* wrong = first->NextSiblingElement("testcase");
  const tinyxml2::XMLElement* failure = wrong->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_STREQ(failure->Attribute("type"), "FAIL");
  // The message is the first line, escaped and read back exactly.
  EXPECT_EQ(std::string(failure->Attribute("message")),
            "fast on avg:fwd:f32:nchw:1x1x4x4:k2x2 (seed 7, random inputs): values: 1 of 4 "
            "elements differ, first at (0, 0, 0, 1): got 0 <bad & \"worse\">, want 1");
  EXPECT_NE(std::string(failure->GetText()).find("repro: poolbench check --problem avg:"),
            std::string::npos);
  const tinyxml2::XMLElement* crashed = wrong->NextSiblingElement("testcase");
  EXPECT_STREQ(crashed->FirstChildElement("failure")->Attribute("type"), "crashed");
  const tinyxml2::XMLElement* ref = fast->NextSiblingElement("testsuite");
  EXPECT_STREQ(ref->Attribute("name"), "naive_loops");
  EXPECT_STREQ(
      ref->FirstChildElement("testcase")->FirstChildElement("skipped")->Attribute("message"),
      "is the reference");
}

TEST(CheckResultsTest, JunitParsesWhateverBytesAMessageHolds) {
  CheckRun run = SampleRun();
  run.records[2].message = std::string("got \x01\x1b[31mred\x1b[0m \xff\xfe half \xe2\x82 end");
  const std::string xml = CheckJunit(run);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_NE(xml.find("red"), std::string::npos);
  // And the JSON stays valid UTF-8.
  EXPECT_NO_THROW(nlohmann::json::parse(CheckJson(run)));
}

}  // namespace
}  // namespace poolbench::render
