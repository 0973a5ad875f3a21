#pragma once
// HyperLogLog in Redis 7.0's string format, so a value written here reads back in redis-server
// (and the other way round) through RDB, DUMP and replication, with the same estimates.
//
// Layout: a 16-byte header ("HYLL", encoding byte, 3 reserved bytes, 8-byte little-endian
// cached cardinality whose top bit marks it stale) followed by the registers:
//  - dense: 16384 registers of 6 bits, packed LSB first (12288 bytes);
//  - sparse: run-length opcodes ZERO (00xxxxxx: 1..64 zero registers), XZERO (01xxxxxx
//    xxxxxxxx: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers holding 1..32).
// Values here are plain byte strings; the command layer owns lookup, types and replies.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "datanode/store/raw_string.h"

namespace vigil::datanode::hll {

constexpr size_t kHeaderSize = 16;
constexpr int kPrecision = 14;
constexpr int kRegisterCount = 1 << kPrecision;
constexpr int kRegisterBits = 6;
constexpr uint8_t kRegisterMax = (1 << kRegisterBits) - 1;
constexpr size_t kDenseSize = kHeaderSize + (kRegisterCount * kRegisterBits + 7) / 8;
// Redis's MurmurHash64A seed for HLL elements.
constexpr uint64_t kHashSeed = 0xadc83b19ULL;

enum class Encoding : uint8_t { kDense = 0, kSparse = 1 };

// One byte per register: the unpacked form merges and multi-key counts work on.
using Registers = std::array<uint8_t, kRegisterCount>;

uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// Where an element lands: its register and the length of the "00..01" run of its hash (1..51).
struct ElementRank {
  uint32_t index;
  uint8_t rank;
};
ElementRank RankElement(std::string_view element);

// An empty HLL as PFADD creates it: sparse, one XZERO opcode covering every register.
std::string NewSparse();

// Redis's header check (isHLLObjectOrReply): magic, a known encoding and, for dense, the exact
// length. A sparse body is only validated when it is walked.
bool HasValidHeader(std::string_view value);
Encoding EncodingOf(std::string_view value);  // requires HasValidHeader

// The cached cardinality, when the header says it is current.
std::optional<uint64_t> CachedCardinality(std::string_view value);
// Both write the header of `value` (its first kHeaderSize bytes).
void StoreCachedCardinality(char* value, uint64_t cardinality);
void InvalidateCachedCardinality(char* value);

// Packed 6-bit register access on the dense body (`body` points past the header).
uint8_t DenseRegister(const uint8_t* body, uint32_t index);
void SetDenseRegister(uint8_t* body, uint32_t index, uint8_t value);

enum class UpdateResult { kUnchanged, kChanged, kCorrupt };

// Raises register `index` to `rank` if lower. A sparse value may be rewritten in place or
// promoted to dense when the rank needs more than 5 bits or the value would grow beyond
// `sparse_max_bytes`, exactly where Redis promotes.
UpdateResult RaiseRegister(RawString* value, uint32_t index, uint8_t rank, size_t sparse_max_bytes);
// PFADD of one element.
UpdateResult AddElement(RawString* value, std::string_view element, size_t sparse_max_bytes);

// Rewrites a sparse value as dense (keeping the header); false when the sparse body does not
// cover exactly 16384 registers. A dense value is left alone.
bool ConvertToDense(RawString* value);

// max[i] = MAX(max[i], register i of value); false on a corrupt sparse body.
bool MergeInto(std::string_view value, Registers* max);

// The estimate (Otmar Ertl's improved estimator, as Redis 7). nullopt on a corrupt sparse body.
std::optional<uint64_t> Estimate(std::string_view value);
uint64_t EstimateRegisters(const Registers& registers);

// How many registers hold each value; false on a corrupt sparse body.
using Histogram = std::array<int, 64>;
bool FillHistogram(std::string_view value, Histogram* histogram);

// PFDEBUG DECODE's listing of the sparse opcodes: "z:<n>", "Z:<n>", "v:<value>,<n>".
std::string DescribeSparse(std::string_view value);

// Building blocks shared by the dense (hyperloglog.cc) and sparse (hyperloglog_sparse.cc)
// halves.
void SetEncoding(char* value, Encoding encoding);
bool RaiseDenseRegister(uint8_t* body, uint32_t index, uint8_t rank);
bool FillSparseHistogram(std::string_view value, Histogram* histogram);
bool MergeSparseInto(std::string_view value, Registers* max);

}  // namespace vigil::datanode::hll
