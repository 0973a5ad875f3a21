// libFuzzer target: the client request parser must never crash, loop, or read out of bounds on
// any byte sequence, fed whole or in pieces, authenticated or not.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/resp/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using vigil::resp::ParseStatus;
  vigil::resp::ParserLimits limits;
  limits.max_bulk_len = 1 << 20;
  limits.authenticated = (data[0] & 1) != 0;
  const size_t chunk = 1 + (data[0] >> 1);  // the first byte also picks the fragment size
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  vigil::resp::RequestParser parser;
  std::vector<std::string> argv;
  std::string buffer;
  for (size_t off = 0; off < input.size(); off += chunk) {
    buffer.append(input, off, chunk);
    for (int guard = 0; guard < 100000; ++guard) {
      size_t used = 0;
      ParseStatus st = parser.Parse(buffer, limits, &used, &argv);
      if (used > buffer.size()) __builtin_trap();
      buffer.erase(0, used);
      if (st == ParseStatus::kError) return 0;
      if (st == ParseStatus::kNeedMore) break;
      if (parser.argc() > argv.size()) __builtin_trap();
    }
  }
  return 0;
}
