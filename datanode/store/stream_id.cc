#include "datanode/store/stream_id.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "datanode/store/entry.h"

namespace vigil::datanode {
namespace {

// Redis's string2ull: a canonical non-negative int64, else whatever strtoull accepts in full
// (so "+5", " 5" and "007" are ids too, and values above INT64_MAX parse).
bool ParseU64(const char* s, uint64_t* out) {
  int64_t ll;
  if (ParseCanonicalInt(s, &ll)) {
    if (ll < 0) return false;
    *out = uint64_t(ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno == EINVAL || errno == ERANGE || *s == '\0' || *end != '\0') return false;
  *out = v;
  return true;
}

uint64_t LoadBe64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

void StoreBe64(uint64_t v, char* p) {
  for (int i = 7; i >= 0; --i) {
    p[i] = char(v & 0xFF);
    v >>= 8;
  }
}

}  // namespace

bool StreamId::Incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) {
      ms = seq = 0;
      return false;
    }
    ++ms;
    seq = 0;
    return true;
  }
  ++seq;
  return true;
}

bool StreamId::Decr() {
  if (seq == 0) {
    if (ms == 0) {
      ms = seq = UINT64_MAX;
      return false;
    }
    --ms;
    seq = UINT64_MAX;
    return true;
  }
  --seq;
  return true;
}

std::string StreamId::ToString() const {
  return std::to_string(ms) + "-" + std::to_string(seq);
}

void StreamId::Encode(char out[16]) const {
  StoreBe64(ms, out);
  StoreBe64(seq, out + 8);
}

StreamId StreamId::Decode(const char in[16]) {
  return {LoadBe64(in), LoadBe64(in + 8)};
}

bool ParseStreamId(std::string_view s, uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given) {
  char buf[128];
  if (s.size() > sizeof(buf) - 1) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return false;
  if (seq_given != nullptr) *seq_given = true;
  if (buf[0] == '-' && buf[1] == '\0') {
    *out = StreamId{};
    return true;
  }
  if (buf[0] == '+' && buf[1] == '\0') {
    *out = StreamId::Max();
    return true;
  }
  // A string with an embedded NUL stops there, as the C parser sees it.
  char* dash = std::strchr(buf, '-');
  if (dash != nullptr) *dash = '\0';
  uint64_t ms = 0, seq = missing_seq;
  if (!ParseU64(buf, &ms)) return false;
  if (dash != nullptr) {
    if (seq_given != nullptr && std::strcmp(dash + 1, "*") == 0) {
      seq = 0;
      *seq_given = false;
    } else if (!ParseU64(dash + 1, &seq)) {
      return false;
    }
  }
  *out = StreamId{ms, seq};
  return true;
}

}  // namespace vigil::datanode
