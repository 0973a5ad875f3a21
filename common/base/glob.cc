#include "common/base/glob.h"

#include <cctype>

namespace vigil {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? char(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Recursion depth is bounded by the number of '*' in the pattern; a skipped nesting cap keeps
// pathological patterns ("*a*a*a*...") from exhausting the stack, as Redis 7.0.x does.
//
// `skip_longer` is Redis's skipLongerMatches: once the rest of the pattern after a '*' matched
// nowhere in the rest of the string, letting an earlier '*' swallow more cannot help either, so
// every enclosing '*' stops at once. Without it "a*a*a*...*b" against a long run of 'a' takes
// exponential time (Redis's keyspace test "pattern matching long nested loops").
bool Match(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int nesting,
           bool* skip_longer) {
  if (nesting > 1000) return false;
  while (plen > 0 && slen > 0) {
    switch (p[0]) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          ++p;
          --plen;
        }
        if (plen == 1) return true;
        while (slen > 0) {
          if (Match(p + 1, plen - 1, s, slen, nocase, nesting + 1, skip_longer)) return true;
          if (*skip_longer) return false;
          ++s;
          --slen;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        bool negate = plen > 0 && p[0] == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool matched = false;
        while (true) {
          if (plen == 0) {
            // Unterminated class: Redis steps back to treat the last char literally.
            --p;
            ++plen;
            break;
          }
          if (p[0] == '\\' && plen >= 2) {
            ++p;
            --plen;
            if (p[0] == s[0]) matched = true;
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            char start = p[0], end = p[2], c = s[0];
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = Fold(start, true);
              end = Fold(end, true);
              c = Fold(c, true);
            }
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) matched = true;
          } else if (Fold(p[0], nocase) == Fold(s[0], nocase)) {
            matched = true;
          }
          ++p;
          --plen;
        }
        if (negate) matched = !matched;
        if (!matched) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (Fold(p[0], nocase) != Fold(s[0], nocase)) return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      while (plen > 0 && *p == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool skip_longer = false;
  return Match(pattern.data(), pattern.size(), str.data(), str.size(), nocase, 0, &skip_longer);
}

}  // namespace vigil
