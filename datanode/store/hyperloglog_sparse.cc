// The sparse HyperLogLog body: a run-length list of ZERO / XZERO / VAL opcodes. Register
// updates rewrite the opcode in place with the same split and merge choices as Redis, because
// the resulting bytes are visible (GET, DUMP, RDB, replication) and must match redis-server's.
#include <algorithm>
#include <cstring>

#include "datanode/store/hyperloglog.h"

namespace vigil::datanode::hll {
namespace {

constexpr uint8_t kXzeroTag = 0x40;
constexpr uint8_t kValTag = 0x80;
constexpr int kValMaxValue = 32;
constexpr int kValMaxRun = 4;
constexpr int kZeroMaxRun = 64;
constexpr int kXzeroMaxRun = 16384;

bool IsZeroOp(uint8_t b) {
  return (b & 0xc0) == 0;
}
bool IsXzeroOp(uint8_t b) {
  return (b & 0xc0) == kXzeroTag;
}
bool IsValOp(uint8_t b) {
  return (b & kValTag) != 0;
}
int ValValue(uint8_t b) {
  return ((b >> 2) & 0x1f) + 1;
}
int ValRun(uint8_t b) {
  return (b & 0x3) + 1;
}
uint8_t ValOp(int value, int run) {
  return uint8_t(((value - 1) << 2) | (run - 1) | kValTag);
}

// One decoded opcode. An XZERO cut short by the end of the value reads its second byte as
// zero, as Redis reads the string's terminator there.
struct Opcode {
  int run;    // registers covered
  int value;  // 0 for ZERO / XZERO
  int size;   // bytes
};

Opcode ReadOpcode(const uint8_t* p, const uint8_t* end) {
  const uint8_t b = *p;
  if (IsZeroOp(b)) return {(b & 0x3f) + 1, 0, 1};
  if (IsXzeroOp(b)) {
    const uint8_t low = p + 1 < end ? p[1] : 0;
    return {(((b & 0x3f) << 8) | low) + 1, 0, 2};
  }
  return {ValRun(b), ValValue(b), 1};
}

// Appends the shortest zero-run opcode for `run` registers.
void AppendZeroRun(std::string* out, int run) {
  if (run > kZeroMaxRun) {
    out->push_back(char(kXzeroTag | ((run - 1) >> 8)));
    out->push_back(char((run - 1) & 0xff));
  } else {
    out->push_back(char(run - 1));
  }
}

const uint8_t* Bytes(std::string_view value) {
  return reinterpret_cast<const uint8_t*>(value.data());
}

uint8_t* Bytes(RawString* value) {
  return reinterpret_cast<uint8_t*>(value->data());
}

// Joins adjacent VAL opcodes of equal value whose runs fit one opcode, looking at up to five
// opcodes from `from` (the opcode before the one just rewritten).
void MergeAdjacentValues(RawString* value, size_t from) {
  size_t pos = from;
  int budget = 5;
  while (pos < value->size() && budget-- > 0) {
    const uint8_t* p = Bytes(value);
    const size_t end = value->size();
    if (IsXzeroOp(p[pos])) {
      pos += 2;
      continue;
    }
    if (IsZeroOp(p[pos])) {
      pos += 1;
      continue;
    }
    if (pos + 1 < end && IsValOp(p[pos + 1]) && ValValue(p[pos]) == ValValue(p[pos + 1])) {
      const int run = ValRun(p[pos]) + ValRun(p[pos + 1]);
      if (run <= kValMaxRun) {
        (*value)[pos + 1] = char(ValOp(ValValue(p[pos]), run));
        value->erase(pos, 1);
        // Stay here: the joined opcode may join the next one too.
        continue;
      }
    }
    pos += 1;
  }
}

UpdateResult PromoteAndRaise(RawString* value, uint32_t index, uint8_t rank) {
  if (!ConvertToDense(value)) return UpdateResult::kCorrupt;
  return RaiseDenseRegister(Bytes(value) + kHeaderSize, index, rank) ? UpdateResult::kChanged
                                                                     : UpdateResult::kUnchanged;
}

UpdateResult RaiseSparseRegister(RawString* value, uint32_t index, uint8_t rank,
                                 size_t sparse_max_bytes) {
  // Ranks above 32 have no VAL opcode.
  if (rank > kValMaxValue) return PromoteAndRaise(value, index, rank);

  // Find the opcode covering `index`.
  const uint8_t* p = Bytes(*value);
  const uint8_t* end = p + value->size();
  size_t pos = kHeaderSize;
  size_t prev = kHeaderSize;  // the opcode before `pos`, or the first one
  long first = 0;             // first register covered by the opcode at `pos`
  Opcode op{0, 0, 0};
  while (pos < value->size()) {
    op = ReadOpcode(p + pos, end);
    if (long(index) <= first + op.run - 1) break;
    prev = pos;
    pos += size_t(op.size);
    first += op.run;
  }
  if (op.run == 0 || pos >= value->size()) return UpdateResult::kCorrupt;
  const bool is_val = IsValOp(p[pos]);
  const bool is_xzero = IsXzeroOp(p[pos]);

  if (is_val && op.value >= rank) return UpdateResult::kUnchanged;
  if (op.run == 1 && !is_xzero) {
    // A single-register VAL or ZERO becomes the new VAL in place.
    (*value)[pos] = char(ValOp(rank, 1));
  } else {
    // Split the run around `index`: [left part] VAL(rank) [right part].
    const long last = first + op.run - 1;
    std::string replacement;
    const int left = int(long(index) - first);
    const int right = int(last - long(index));
    if (is_val) {
      if (left > 0) replacement.push_back(char(ValOp(op.value, left)));
      replacement.push_back(char(ValOp(rank, 1)));
      if (right > 0) replacement.push_back(char(ValOp(op.value, right)));
    } else {
      if (left > 0) AppendZeroRun(&replacement, left);
      replacement.push_back(char(ValOp(rank, 1)));
      if (right > 0) AppendZeroRun(&replacement, right);
    }
    const long old_size = is_xzero ? 2 : 1;
    const long growth = long(replacement.size()) - old_size;
    const size_t new_size = size_t(long(value->size()) + growth);
    if (growth > 0 && new_size > sparse_max_bytes) return PromoteAndRaise(value, index, rank);
    // An XZERO cut short by the end only has its first byte in the value; the result keeps
    // the length Redis computes from the opcode's nominal size.
    const size_t present = std::min(size_t(old_size), value->size() - pos);
    value->replace(pos, present, replacement);
    value->resize(new_size);
  }
  MergeAdjacentValues(value, prev);
  InvalidateCachedCardinality(value->data());
  return UpdateResult::kChanged;
}

}  // namespace

std::string NewSparse() {
  std::string value(kHeaderSize, '\0');
  std::memcpy(value.data(), "HYLL", 4);
  SetEncoding(value.data(), Encoding::kSparse);
  for (int left = kRegisterCount; left > 0; left -= kXzeroMaxRun) {
    const int run = std::min(left, kXzeroMaxRun);
    value.push_back(char(kXzeroTag | ((run - 1) >> 8)));
    value.push_back(char((run - 1) & 0xff));
  }
  return value;
}

UpdateResult RaiseRegister(RawString* value, uint32_t index, uint8_t rank,
                           size_t sparse_max_bytes) {
  if (EncodingOf(*value) == Encoding::kSparse) {
    return RaiseSparseRegister(value, index, rank, sparse_max_bytes);
  }
  return RaiseDenseRegister(Bytes(value) + kHeaderSize, index, rank) ? UpdateResult::kChanged
                                                                     : UpdateResult::kUnchanged;
}

bool ConvertToDense(RawString* value) {
  if (EncodingOf(*value) == Encoding::kDense) return true;
  std::string dense(kDenseSize, '\0');
  // The header carries over, cached cardinality included.
  std::memcpy(dense.data(), value->data(), kHeaderSize);
  SetEncoding(dense.data(), Encoding::kDense);
  uint8_t* body = reinterpret_cast<uint8_t*>(dense.data()) + kHeaderSize;
  const uint8_t* p = Bytes(*value) + kHeaderSize;
  const uint8_t* end = Bytes(*value) + value->size();
  long index = 0;
  while (p < end) {
    const Opcode op = ReadOpcode(p, end);
    if (op.value != 0) {
      if (index + op.run > kRegisterCount) break;
      for (int i = 0; i < op.run; ++i)
        SetDenseRegister(body, uint32_t(index + i), uint8_t(op.value));
    }
    index += op.run;
    p += op.size;
  }
  if (index != kRegisterCount) return false;
  value->assign(dense);
  return true;
}

bool FillSparseHistogram(std::string_view value, Histogram* histogram) {
  const uint8_t* p = Bytes(value) + kHeaderSize;
  const uint8_t* end = Bytes(value) + value.size();
  long index = 0;
  while (p < end) {
    const Opcode op = ReadOpcode(p, end);
    (*histogram)[size_t(op.value)] += op.run;
    index += op.run;
    p += op.size;
  }
  return index == kRegisterCount;
}

bool MergeSparseInto(std::string_view value, Registers* max) {
  const uint8_t* p = Bytes(value) + kHeaderSize;
  const uint8_t* end = Bytes(value) + value.size();
  long index = 0;
  while (p < end) {
    const Opcode op = ReadOpcode(p, end);
    if (op.value != 0) {
      if (index + op.run > kRegisterCount) break;
      for (int i = 0; i < op.run; ++i) {
        uint8_t& r = (*max)[size_t(index + i)];
        if (op.value > r) r = uint8_t(op.value);
      }
    }
    index += op.run;
    p += op.size;
  }
  return index == kRegisterCount;
}

std::string DescribeSparse(std::string_view value) {
  std::string out;
  const uint8_t* p = Bytes(value) + kHeaderSize;
  const uint8_t* end = Bytes(value) + value.size();
  while (p < end) {
    const Opcode op = ReadOpcode(p, end);
    if (!out.empty()) out.push_back(' ');
    if (op.value != 0) {
      out += "v:" + std::to_string(op.value) + "," + std::to_string(op.run);
    } else {
      out += (op.size == 1 ? "z:" : "Z:") + std::to_string(op.run);
    }
    p += op.size;
  }
  return out;
}

}  // namespace vigil::datanode::hll
