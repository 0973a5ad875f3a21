#include "common/base/process_title.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace vigil {
namespace {

struct TitleArea {
  char* begin = nullptr;
  size_t size = 0;  // bytes from argv[0] to the end of the last contiguous string
  std::string exec_name;
};

TitleArea& Area() {
  static TitleArea area;
  return area;
}

}  // namespace

std::optional<std::string> ExpandProcTitleTemplate(
    std::string_view tmpl,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  size_t p = 0;
  while (p < tmpl.size()) {
    const size_t open = tmpl.find('{', p);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(p));
      break;
    }
    out.append(tmpl.substr(p, open - p));
    if (open + 1 >= tmpl.size()) return std::nullopt;  // ends inside a variable
    if (tmpl[open + 1] == '{') {
      out += '{';
      p = open + 2;
      continue;
    }
    const size_t close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::optional<std::string> value = lookup(std::string(tmpl.substr(open + 1, close - open - 1)));
    if (!value) return std::nullopt;
    out += *value;
    p = close + 1;
  }
  const size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return std::string();
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

void InitProcessTitle(int argc, char** argv) {
  TitleArea& a = Area();
  if (a.begin != nullptr || argc < 1 || argv[0] == nullptr) return;
  a.exec_name = argv[0];
  char* const begin = argv[0];
  // The kernel shows the bytes from argv[0] on; they are followed by the other arguments and
  // then the environment strings, which may be reused once copied.
  char* end = argv[0] + std::strlen(argv[0]) + 1;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == end) end = argv[i] + std::strlen(argv[i]) + 1;
  }
  size_t env_count = 0;
  while (environ != nullptr && environ[env_count] != nullptr) ++env_count;
  for (size_t i = 0; i < env_count; ++i) {
    if (environ[i] == end) end = environ[i] + std::strlen(environ[i]) + 1;
  }
  // Copies live for the whole process, as the originals did.
  char** env_copy = new char*[env_count + 1];
  for (size_t i = 0; i < env_count; ++i) env_copy[i] = ::strdup(environ[i]);
  env_copy[env_count] = nullptr;
  environ = env_copy;
  for (int i = 0; i < argc; ++i) argv[i] = ::strdup(argv[i]);
  a.begin = begin;
  a.size = size_t(end - begin);
}

const std::string& ProcessExecName() {
  return Area().exec_name;
}

void SetProcessTitle(const std::string& title) {
  TitleArea& a = Area();
  if (a.begin == nullptr || a.size < 2) return;
  const size_t n = std::min(title.size(), a.size - 1);
  std::memcpy(a.begin, title.data(), n);
  std::memset(a.begin + n, 0, a.size - n);
}

}  // namespace vigil
