#include "datanode/store/hyperloglog.h"

#include <gtest/gtest.h>

#include "datanode/acl/sha256.h"

namespace vigil::datanode::hll {
namespace {

// The expected values below were captured from redis-server 7.0.15 (PFADD / GET / PFCOUNT /
// PFDEBUG DECODE on a fresh server, hll-sparse-max-bytes 3000).
constexpr size_t kDefaultSparseMax = 3000;

// The tests keep values in std::string; these run the store's operations on a RawString copy
// (as an Entry holds it) and copy the result back.
template <typename F>
auto OnRaw(std::string* v, F&& fn) {
  OwnedRawString raw(*v);
  RawString handle = raw.handle();
  auto result = fn(&handle);
  *v = std::string(raw.view());
  return result;
}
UpdateResult AddElement(std::string* v, std::string_view e, size_t sparse_max) {
  return OnRaw(v, [&](RawString* r) { return hll::AddElement(r, e, sparse_max); });
}
UpdateResult RaiseRegister(std::string* v, uint32_t index, uint8_t rank, size_t sparse_max) {
  return OnRaw(v, [&](RawString* r) { return hll::RaiseRegister(r, index, rank, sparse_max); });
}
bool ConvertToDense(std::string* v) {
  return OnRaw(v, [](RawString* r) { return hll::ConvertToDense(r); });
}
void InvalidateCachedCardinality(std::string* v) {
  hll::InvalidateCachedCardinality(v->data());
}
void StoreCachedCardinality(std::string* v, uint64_t cardinality) {
  hll::StoreCachedCardinality(v->data(), cardinality);
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Build(const std::vector<std::string>& elements) {
  std::string v = NewSparse();
  for (const auto& e : elements) {
    EXPECT_NE(AddElement(&v, e, kDefaultSparseMax), UpdateResult::kCorrupt);
  }
  // PFADD marks the cache stale once anything changed.
  InvalidateCachedCardinality(&v);
  return v;
}

std::vector<std::string> Numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(HyperLogLog, EmptyValueMatchesRedis) {
  EXPECT_EQ(Hex(NewSparse()),
            "48594c4c01000000"
            "0000000000000000"
            "7fff");
  EXPECT_EQ(Estimate(NewSparse()), 0u);
}

TEST(HyperLogLog, SmallSparseValueIsByteIdentical) {
  std::string v = Build({"a", "b", "c", "hello", "world"});
  EXPECT_EQ(Hex(v), "48594c4c0100000000000000000000804ab588563c80430a804da5844bfb80425a");
  EXPECT_EQ(DescribeSparse(v),
            "Z:2742 v:3,1 Z:5693 v:1,1 Z:779 v:1,1 Z:3494 v:2,1 Z:3068 v:1,1 Z:603");
  ASSERT_EQ(Estimate(v), 5u);
  EXPECT_FALSE(CachedCardinality(v).has_value());
  StoreCachedCardinality(&v, 5);
  EXPECT_EQ(Hex(v), "48594c4c0100000005000000000000004ab588563c80430a804da5844bfb80425a");
  EXPECT_EQ(CachedCardinality(v), 5u);
}

TEST(HyperLogLog, LargerSparseValueIsByteIdentical) {
  std::string v = Build(Numbered("e", 200));
  EXPECT_EQ(EncodingOf(v), Encoding::kSparse);
  EXPECT_EQ(v.size(), 513u);
  ASSERT_EQ(Estimate(v), 200u);
  StoreCachedCardinality(&v, 200);  // captured after a PFCOUNT
  EXPECT_EQ(Sha256Hex(v), "1f40af84180704c352389436fa6ad1462ac651895078d99c5ee8ddf80444434a");
}

TEST(HyperLogLog, PromotedDenseValueIsByteIdentical) {
  std::string v = Build(Numbered("x", 5000));
  EXPECT_EQ(EncodingOf(v), Encoding::kDense);
  EXPECT_EQ(v.size(), kDenseSize);
  ASSERT_EQ(Estimate(v), 4970u);
  StoreCachedCardinality(&v, 4970);  // captured after a PFCOUNT
  EXPECT_EQ(Sha256Hex(v), "b838ba9b24e2dbe65070d2b2d585afcb8be2509d92f110f95fe6b6d738e0d0ab");
}

TEST(HyperLogLog, UnionEstimateMatchesRedis) {
  Registers max{};
  ASSERT_TRUE(MergeInto(Build(Numbered("e", 200)), &max));
  ASSERT_TRUE(MergeInto(Build(Numbered("x", 5000)), &max));
  EXPECT_EQ(EstimateRegisters(max), 5166u);
  ASSERT_TRUE(MergeInto(Build({"a", "b", "c", "hello", "world"}), &max));
  EXPECT_EQ(EstimateRegisters(max), 5173u);
}

TEST(HyperLogLog, DenseRegistersRoundTripWithoutDisturbingNeighbours) {
  std::vector<uint8_t> body(kDenseSize - kHeaderSize, 0);
  for (uint32_t i = 0; i < kRegisterCount; ++i) SetDenseRegister(body.data(), i, uint8_t(i % 64));
  for (uint32_t i = 0; i < kRegisterCount; ++i) EXPECT_EQ(DenseRegister(body.data(), i), i % 64);
  SetDenseRegister(body.data(), kRegisterCount - 1, 63);
  EXPECT_EQ(DenseRegister(body.data(), kRegisterCount - 2), (kRegisterCount - 2) % 64);
}

TEST(HyperLogLog, SparseAndDenseAgree) {
  std::string sparse = NewSparse();
  std::string dense = NewSparse();
  ASSERT_TRUE(ConvertToDense(&dense));
  for (int i = 0; i < 2000; ++i) {
    const std::string e = "k" + std::to_string(i);
    AddElement(&sparse, e, 1 << 20);
    AddElement(&dense, e, 1 << 20);
  }
  ASSERT_EQ(EncodingOf(sparse), Encoding::kSparse);
  EXPECT_EQ(Estimate(sparse), Estimate(dense));
  std::string converted = sparse;
  ASSERT_TRUE(ConvertToDense(&converted));
  EXPECT_EQ(converted.substr(kHeaderSize), dense.substr(kHeaderSize));
}

TEST(HyperLogLog, RankAboveSparseLimitPromotes) {
  std::string v = NewSparse();
  EXPECT_EQ(RaiseRegister(&v, 7, 33, kDefaultSparseMax), UpdateResult::kChanged);
  EXPECT_EQ(EncodingOf(v), Encoding::kDense);
  EXPECT_EQ(DenseRegister(reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize, 7), 33);
}

TEST(HyperLogLog, HeaderChecks) {
  EXPECT_TRUE(HasValidHeader(NewSparse()));
  EXPECT_FALSE(HasValidHeader("HYLL"));
  std::string v = NewSparse();
  v[4] = 2;
  EXPECT_FALSE(HasValidHeader(v));
  v[4] = 0;  // dense with the wrong length
  EXPECT_FALSE(HasValidHeader(v));
  v = NewSparse();
  v[0] = 'X';
  EXPECT_FALSE(HasValidHeader(v));
}

TEST(HyperLogLog, CorruptSparseBodiesAreDetected) {
  std::string v = Build({"a", "b", "c"});
  v += "hello";  // registers beyond 16384
  EXPECT_FALSE(Estimate(v).has_value());
  Registers max{};
  EXPECT_FALSE(MergeInto(v, &max));
  EXPECT_FALSE(ConvertToDense(&v));
  std::string short_body = NewSparse();
  short_body.pop_back();  // XZERO cut short: covers too few registers
  EXPECT_FALSE(Estimate(short_body).has_value());
}

}  // namespace
}  // namespace vigil::datanode::hll
