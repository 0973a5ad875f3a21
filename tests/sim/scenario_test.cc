// Runs every tests/scenarios/sentinel/*.txt file as one test. With --rewrite the expected
// outputs are replaced by the actual ones (review the diff like code).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sim/datadriven.h"
#include "tests/sim/scenario_runner.h"

namespace vigil::sim {
namespace {

bool g_rewrite = false;

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(VIGIL_SCENARIO_DIR)) {
    if (e.path().extension() == ".txt") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, MatchesExpectedOutput) {
  std::string path = std::string(VIGIL_SCENARIO_DIR) + "/" + GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string error;
  std::vector<DataDrivenCase> cases = ParseDataDriven(buffer.str(), &error);
  ASSERT_TRUE(error.empty()) << path << ": " << error;
  ASSERT_FALSE(cases.empty()) << path << " has no directives";
  ScenarioRunner runner;
  std::vector<std::string> actual;
  for (const DataDrivenCase& c : cases) {
    actual.push_back(runner.Run(c.directive));
    if (!g_rewrite) {
      EXPECT_EQ(actual.back(), c.expected)
          << path << ":" << c.line << ": " << c.directive << "\n(run with --rewrite to update)";
    }
  }
  if (g_rewrite) std::ofstream(path) << RenderDataDriven(cases, actual);
}

INSTANTIATE_TEST_SUITE_P(Sentinel, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const auto& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 4);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace vigil::sim

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rewrite") == 0) vigil::sim::g_rewrite = true;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
