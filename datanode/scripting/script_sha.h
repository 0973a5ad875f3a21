#pragma once
// Script digests as the cache keys them: lowercase hex.
#include <string>
#include <string_view>

namespace vigil::datanode {

// `sha` with ASCII A-Z lowered: the cache's key for a digest given in any letter case. Plain
// arithmetic rather than std::tolower, whose per-byte library call showed in EVALSHA profiles
// (a digest is lowered on every EVALSHA).
inline std::string LowerSha(std::string_view sha) {
  std::string out(sha);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

}  // namespace vigil::datanode
