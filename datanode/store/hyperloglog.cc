// HyperLogLog: hashing, header, dense registers and the estimator. The sparse opcodes live in
// hyperloglog_sparse.cc.
#include "datanode/store/hyperloglog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/base/byte_order.h"

namespace vigil::datanode::hll {
namespace {

constexpr size_t kEncodingOffset = 4;
constexpr size_t kCardinalityOffset = 8;
constexpr uint8_t kStaleCacheBit = 0x80;  // in the cardinality's most significant byte
// 0.5 / ln(2): the bias correction constant of the estimator for m -> infinity.
constexpr double kAlphaInf = 0.721347520444481703680;
constexpr int kRankBits = 64 - kPrecision;

// Ertl's sigma and tau (arXiv:1702.01284). The loops run until the sum stops changing, so the
// order of floating-point operations must stay as Redis has it for identical estimates.
double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double z = x;
  double y = 1.0;
  double previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double z = 1 - x;
  double y = 1.0;
  double previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2.0) * y;
  } while (previous != z);
  return z / 3;
}

uint64_t EstimateHistogram(const Histogram& h) {
  const double m = kRegisterCount;
  double z = m * Tau((m - h[kRankBits + 1]) / m);
  for (int j = kRankBits; j >= 1; --j) {
    z += h[size_t(j)];
    z *= 0.5;
  }
  z += m * Sigma(h[0] / m);
  return uint64_t(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;
  constexpr int kShift = 47;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t len = data.size();
  uint64_t h = seed ^ (uint64_t(len) * kMul);
  const uint8_t* block_end = p + (len & ~size_t(7));
  for (; p != block_end; p += 8) {
    uint64_t k = LoadLe(p, 8);  // little-endian on every host, as Redis's MurmurHash64A
    k *= kMul;
    k ^= k >> kShift;
    k *= kMul;
    h ^= k;
    h *= kMul;
  }
  const size_t tail = len & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= uint64_t(p[i]) << (8 * i);
    h *= kMul;
  }
  h ^= h >> kShift;
  h *= kMul;
  h ^= h >> kShift;
  return h;
}

ElementRank RankElement(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kHashSeed);
  ElementRank r;
  r.index = uint32_t(hash & (kRegisterCount - 1));
  // A sentinel bit past the used ones bounds the run at kRankBits + 1.
  hash = (hash >> kPrecision) | (uint64_t(1) << kRankBits);
  r.rank = uint8_t(std::countr_zero(hash) + 1);
  return r;
}

bool HasValidHeader(std::string_view value) {
  if (value.size() < kHeaderSize) return false;
  if (value.substr(0, 4) != "HYLL") return false;
  const auto encoding = uint8_t(value[kEncodingOffset]);
  if (encoding > uint8_t(Encoding::kSparse)) return false;
  if (encoding == uint8_t(Encoding::kDense) && value.size() != kDenseSize) return false;
  return true;
}

Encoding EncodingOf(std::string_view value) {
  return Encoding(uint8_t(value[kEncodingOffset]));
}

void SetEncoding(char* value, Encoding encoding) {
  value[kEncodingOffset] = char(encoding);
}

std::optional<uint64_t> CachedCardinality(std::string_view value) {
  const auto* card = reinterpret_cast<const uint8_t*>(value.data()) + kCardinalityOffset;
  if (card[7] & kStaleCacheBit) return std::nullopt;
  return LoadLe(card, 8);
}

void StoreCachedCardinality(char* value, uint64_t cardinality) {
  for (size_t i = 0; i < 8; ++i) {
    value[kCardinalityOffset + i] = char(uint8_t(cardinality >> (8 * i)));
  }
}

void InvalidateCachedCardinality(char* value) {
  auto& top = reinterpret_cast<uint8_t&>(value[kCardinalityOffset + 7]);
  top |= kStaleCacheBit;
}

uint8_t DenseRegister(const uint8_t* body, uint32_t index) {
  const size_t byte = size_t(index) * kRegisterBits / 8;
  const unsigned shift = (index * kRegisterBits) & 7;
  unsigned bits = body[byte] >> shift;
  // Only registers straddling a byte boundary read the next byte; the last register never does.
  if (shift > 8 - kRegisterBits) bits |= unsigned(body[byte + 1]) << (8 - shift);
  return uint8_t(bits & kRegisterMax);
}

void SetDenseRegister(uint8_t* body, uint32_t index, uint8_t value) {
  const size_t byte = size_t(index) * kRegisterBits / 8;
  const unsigned shift = (index * kRegisterBits) & 7;
  body[byte] = uint8_t((body[byte] & ~(kRegisterMax << shift)) | (value << shift));
  if (shift > 8 - kRegisterBits) {
    const unsigned high = 8 - shift;
    body[byte + 1] = uint8_t((body[byte + 1] & ~(kRegisterMax >> high)) | (value >> high));
  }
}

bool RaiseDenseRegister(uint8_t* body, uint32_t index, uint8_t rank) {
  if (rank <= DenseRegister(body, index)) return false;
  SetDenseRegister(body, index, rank);
  return true;
}

UpdateResult AddElement(RawString* value, std::string_view element, size_t sparse_max_bytes) {
  const ElementRank r = RankElement(element);
  return RaiseRegister(value, r.index, r.rank, sparse_max_bytes);
}

// Calls fn(index, register) for every dense register. Four 6-bit registers fill three bytes
// exactly, so each group is one 24-bit load and four shifts: the hot loop of PFCOUNT over
// several keys and of PFMERGE.
template <typename F>
void ForEachDenseRegister(const uint8_t* body, F&& fn) {
  static_assert(kRegisterBits == 6 && kRegisterCount % 4 == 0);
  for (uint32_t i = 0; i < uint32_t(kRegisterCount); i += 4, body += 3) {
    const uint32_t v = uint32_t(body[0]) | uint32_t(body[1]) << 8 | uint32_t(body[2]) << 16;
    fn(i, uint8_t(v & kRegisterMax));
    fn(i + 1, uint8_t((v >> 6) & kRegisterMax));
    fn(i + 2, uint8_t((v >> 12) & kRegisterMax));
    fn(i + 3, uint8_t(v >> 18));
  }
}

bool FillHistogram(std::string_view value, Histogram* histogram) {
  histogram->fill(0);
  if (EncodingOf(value) == Encoding::kSparse) return FillSparseHistogram(value, histogram);
  const auto* body = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  ForEachDenseRegister(body, [histogram](uint32_t, uint8_t r) { ++(*histogram)[r]; });
  return true;
}

std::optional<uint64_t> Estimate(std::string_view value) {
  Histogram h;
  if (!FillHistogram(value, &h)) return std::nullopt;
  return EstimateHistogram(h);
}

uint64_t EstimateRegisters(const Registers& registers) {
  Histogram h{};
  for (uint8_t r : registers) ++h[r & 63];
  return EstimateHistogram(h);
}

bool MergeInto(std::string_view value, Registers* max) {
  if (EncodingOf(value) == Encoding::kSparse) return MergeSparseInto(value, max);
  const auto* body = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  uint8_t* out = max->data();
  ForEachDenseRegister(body, [out](uint32_t i, uint8_t r) { out[i] = std::max(out[i], r); });
  return true;
}

}  // namespace vigil::datanode::hll
