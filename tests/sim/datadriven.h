#pragma once
// Datadriven test files in the etcd style: each case is a directive line, a "----" line, and the
// expected output up to the next blank line. Lines starting with '#' before a directive are
// comments and are kept on rewrite.
#include <functional>
#include <string>
#include <vector>

namespace vigil::sim {

struct DataDrivenCase {
  std::vector<std::string> comments;  // lines before the directive
  std::string directive;
  std::string expected;  // without the trailing newline
  int line = 0;          // of the directive, for messages
};

// Parses `text`; a malformed file yields an error message in `*error`.
std::vector<DataDrivenCase> ParseDataDriven(const std::string& text, std::string* error);

// Renders cases back to a file, with `actual` outputs in place of the expected ones.
std::string RenderDataDriven(const std::vector<DataDrivenCase>& cases,
                             const std::vector<std::string>& actual);

}  // namespace vigil::sim
