#include "tests/sim/datadriven.h"

#include <sstream>

namespace vigil::sim {

std::vector<DataDrivenCase> ParseDataDriven(const std::string& text, std::string* error) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<DataDrivenCase> cases;
  DataDrivenCase current;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty()) {
      ++i;
      continue;
    }
    if (line[0] == '#') {
      current.comments.push_back(line);
      ++i;
      continue;
    }
    current.directive = line;
    current.line = static_cast<int>(i + 1);
    if (i + 1 >= lines.size() || lines[i + 1] != "----") {
      *error = "line " + std::to_string(i + 1) + ": directive without ---- separator";
      return {};
    }
    i += 2;
    std::string expected;
    while (i < lines.size() && !lines[i].empty()) {
      if (!expected.empty()) expected += "\n";
      expected += lines[i++];
    }
    current.expected = expected;
    cases.push_back(current);
    current = DataDrivenCase{};
  }
  return cases;
}

std::string RenderDataDriven(const std::vector<DataDrivenCase>& cases,
                             const std::vector<std::string>& actual) {
  std::string out;
  for (size_t i = 0; i < cases.size(); ++i) {
    if (i > 0) out += "\n";
    for (const std::string& c : cases[i].comments) out += c + "\n";
    out += cases[i].directive + "\n----\n";
    if (!actual[i].empty()) out += actual[i] + "\n";
  }
  return out;
}

}  // namespace vigil::sim
