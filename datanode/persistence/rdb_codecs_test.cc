// Unit tests of the RDB building blocks: CRC64, LZF, listpack, intset, ziplist, zipmap.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "datanode/persistence/crc64.h"
#include "datanode/persistence/intset_codec.h"
#include "datanode/persistence/listpack.h"
#include "datanode/persistence/lzf.h"
#include "datanode/persistence/ziplist_codec.h"

namespace vigil::datanode {
namespace {

using namespace std::string_literals;

std::vector<std::string> Texts(std::string_view blob, bool ziplist = false) {
  std::vector<std::string> out;
  auto fn = [&](const ListpackEntry& e) {
    char scratch[24];
    out.emplace_back(e.Text(scratch));
    return true;
  };
  Status st = ziplist ? ZiplistForEach(blob, fn) : ListpackForEach(blob, fn);
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

TEST(Crc64Test, MatchesRedisCheckValue) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64Test, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  uint64_t whole = Crc64(0, data);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint64_t c = Crc64(0, std::string_view(data).substr(0, split));
    c = Crc64(c, std::string_view(data).substr(split));
    EXPECT_EQ(c, whole) << split;
  }
}

TEST(LzfTest, HundredAsCompressAtLeastAsWellAsRedis) {
  LzfCompressor lzf;
  std::string in(100, 'a'), out;
  ASSERT_TRUE(lzf.Compress(in, in.size() - 4, &out));
  EXPECT_LE(out.size(), 9u);  // 7.0.15 stored 100 x 'a' in 9 bytes
  std::string back;
  ASSERT_TRUE(LzfDecompress(out, 100, &back));
  EXPECT_EQ(back, in);
}

TEST(LzfTest, RoundTripsRandomAndRepetitiveInputs) {
  std::mt19937_64 rng(1234);
  LzfCompressor lzf;
  for (int round = 0; round < 300; ++round) {
    size_t n = rng() % 20000;
    std::string in;
    int alphabet = 1 + int(rng() % 255);
    while (in.size() < n) {
      if (!in.empty() && rng() % 3 == 0) {
        size_t from = rng() % in.size();
        size_t len = std::min<size_t>(rng() % 300, n - in.size());
        for (size_t k = 0; k < len; ++k) in.push_back(in[from + k % (in.size() - from)]);
      } else {
        in.push_back(static_cast<char>(rng() % alphabet));
      }
    }
    std::string c, back;
    if (!lzf.Compress(in, in.size() + in.size() / 16 + 64, &c)) {
      ADD_FAILURE() << "incompressible with generous room, round " << round;
      continue;
    }
    ASSERT_TRUE(LzfDecompress(c, in.size(), &back)) << round;
    ASSERT_EQ(back, in) << round;
  }
}

TEST(LzfTest, CompressFailsWhenOutputWouldNotFit) {
  LzfCompressor lzf;
  std::string in = "abcdefghijklmnopqrstuvwxyz0123456789", out;
  EXPECT_FALSE(lzf.Compress(in, in.size() - 4, &out));
}

TEST(LzfTest, DecompressRejectsMalformedInput) {
  std::string out;
  EXPECT_FALSE(LzfDecompress(std::string("\x05"
                                         "ab",
                                         3),
                             6, &out));                              // literal overrun
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x00", 2), 3, &out));  // reference before start
  EXPECT_FALSE(LzfDecompress(std::string("\x00"
                                         "a",
                                         2),
                             5, &out));  // too short result
  EXPECT_FALSE(LzfDecompress(std::string("\x01"
                                         "ab",
                                         3),
                             1, &out));  // too long result
  EXPECT_FALSE(LzfDecompress(std::string("\x00"
                                         "a\xe0",
                                         3),
                             20, &out));  // truncated long ref
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {  // never crashes
    std::string junk(rng() % 64, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    (void)LzfDecompress(junk, rng() % 512, &out);
  }
}

TEST(ListpackTest, EncodesLikeRedis) {
  // The zset:small blob from the 7.0.15 capture: ['a', 1, 'b', '2.5'] in 20 bytes.
  ListpackWriter w;
  for (const char* s : {"a", "1", "b", "2.5"}) w.AppendString(s);
  std::string blob = w.Finish();
  EXPECT_EQ(blob.size(), 20u);
  EXPECT_EQ(blob, std::string("\x14\x00\x00\x00\x04\x00\x81"
                              "a\x02\x01\x01\x81"
                              "b\x02\x83"
                              "2.5\x04\xff",
                              20));
}

TEST(ListpackTest, RoundTripsEveryEncoding) {
  std::vector<std::string> in = {"0",
                                 "127",
                                 "128",
                                 "-1",
                                 "-4096",
                                 "4095",
                                 "-4097",
                                 "32767",
                                 "-32768",
                                 "8388607",
                                 "-8388608",
                                 "2147483647",
                                 "-2147483648",
                                 "9223372036854775807",
                                 "-9223372036854775808",
                                 "18446744073709551616",
                                 "007",
                                 "-0",
                                 "",
                                 "x",
                                 std::string(63, 'a'),
                                 std::string(64, 'b'),
                                 std::string(4095, 'c'),
                                 std::string(4096, 'd'),
                                 std::string(70000, 'e'),
                                 std::string("\0\xff\r\n", 4)};
  ListpackWriter w;
  for (const auto& s : in) w.AppendString(s);
  EXPECT_EQ(Texts(w.Finish()), in);
}

TEST(ListpackTest, ManyElementsUseTheUnknownCount) {
  ListpackWriter w;
  for (int i = 0; i < 70000; ++i) w.AppendInt(i);
  std::string blob = w.Finish();
  EXPECT_EQ(static_cast<unsigned char>(blob[4]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(blob[5]), 0xFF);
  EXPECT_EQ(Texts(blob).size(), 70000u);
}

TEST(ListpackTest, RejectsCorruptionWithOffsets) {
  ListpackWriter w;
  w.AppendString("hello");
  w.AppendString("12345");
  std::string blob = w.Finish();
  auto noop = [](const ListpackEntry&) { return true; };
  std::string bad = blob;
  bad[0] = 99;
  EXPECT_NE(ListpackForEach(bad, noop).message().find("header says 99 bytes"), std::string::npos);
  bad = blob;
  bad.back() = 0;
  EXPECT_FALSE(ListpackForEach(bad, noop).ok());
  bad = blob;
  bad[4] = 3;
  EXPECT_NE(ListpackForEach(bad, noop).message().find("header count 3"), std::string::npos);
  bad = blob;
  bad[6] = static_cast<char>(0x80 | 40);  // string length beyond the blob
  EXPECT_NE(ListpackForEach(bad, noop).message().find("offset 6"), std::string::npos);
  // Every single-byte mutation is either accepted or refused, never a crash.
  for (size_t i = 0; i < blob.size(); ++i) {
    for (int v : {0, 1, 0x7f, 0x80, 0xbf, 0xc0, 0xe0, 0xf0, 0xf4, 0xfe, 0xff}) {
      std::string m = blob;
      m[i] = static_cast<char>(v);
      (void)ListpackForEach(m, noop);
    }
  }
}

TEST(IntsetTest, PicksNarrowestWidthAndRoundTrips) {
  std::vector<std::vector<int64_t>> cases = {{1, 2, 3},
                                             {1, 2, 3, 70000},
                                             {-5, INT16_MAX},
                                             {INT32_MIN, 0, INT32_MAX},
                                             {INT64_MIN, INT64_MAX}};
  std::vector<uint8_t> widths = {2, 4, 2, 4, 8};
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string blob = EncodeIntset(cases[i]);
    EXPECT_EQ(static_cast<uint8_t>(blob[0]), widths[i]);
    std::vector<int64_t> back;
    ASSERT_TRUE(DecodeIntset(blob, &back).ok());
    EXPECT_EQ(back, cases[i]);
  }
}

TEST(IntsetTest, RejectsBadBlobs) {
  std::vector<int64_t> out;
  std::string blob = EncodeIntset({1, 2, 3});
  EXPECT_FALSE(DecodeIntset(blob.substr(0, 9), &out).ok());
  std::string unsorted = EncodeIntset({3, 2});
  EXPECT_NE(DecodeIntset(unsorted, &out).message().find("ascending"), std::string::npos);
  std::string bad_width = blob;
  bad_width[0] = 3;
  EXPECT_FALSE(DecodeIntset(bad_width, &out).ok());
  EXPECT_FALSE(DecodeIntset(EncodeIntset({}), &out).ok());
}

// A ziplist built by hand as Redis 6.2 would write it.
std::string Ziplist(const std::vector<std::string>& raw_entries) {
  std::string body;
  size_t prev = 0;
  size_t tail = 10;
  for (const auto& enc : raw_entries) {
    tail = 10 + body.size();
    std::string e;
    if (prev < 254) {
      e.push_back(static_cast<char>(prev));
    } else {
      e.push_back(static_cast<char>(0xFE));
      for (int i = 0; i < 4; ++i) e.push_back(static_cast<char>(prev >> (8 * i)));
    }
    e += enc;
    prev = e.size();
    body += e;
  }
  std::string zl(10, '\0');
  zl += body;
  zl.push_back(static_cast<char>(0xFF));
  uint32_t total = uint32_t(zl.size());
  for (int i = 0; i < 4; ++i) zl[size_t(i)] = static_cast<char>(total >> (8 * i));
  for (int i = 0; i < 4; ++i) zl[size_t(4 + i)] = static_cast<char>(tail >> (8 * i));
  zl[8] = static_cast<char>(raw_entries.size());
  return zl;
}

// zltail names the last entry; Redis's validation refuses a ziplist whose tail points elsewhere.
TEST(ZiplistTest, RejectsATailThatIsNotTheLastEntry) {
  std::string zl = Ziplist({std::string("\x01") + "a", std::string("\x01") + "b"});
  EXPECT_TRUE(ZiplistForEach(zl, [](const ListpackEntry&) { return true; }).ok());
  zl[4] = 10;  // the first entry
  Status st = ZiplistForEach(zl, [](const ListpackEntry&) { return true; });
  EXPECT_NE(st.message().find("zltail"), std::string::npos) << st.message();
}

TEST(ZiplistTest, DecodesEveryEncoding) {
  std::string s300(300, 'z');
  std::string zl = Ziplist({std::string("\x03"
                                        "abc"),
                            std::string("\x41\x2c") + s300, std::string("\xfe\xf9", 2),  // int8 -7
                            std::string("\xc0\x39\x30", 3),          // int16 12345
                            std::string("\xf0\x70\x11\x01", 4),      // int24 70000
                            std::string("\xd0\x00\x00\x00\x80", 5),  // int32 min
                            std::string("\xe0\x01\x00\x00\x00\x01\x00\x00\x00", 9),
                            std::string("\xf1"), std::string("\xfd")});  // immediates 0, 12
  std::vector<std::string> want = {"abc",         s300,         "-7", "12345", "70000",
                                   "-2147483648", "4294967297", "0",  "12"};
  EXPECT_EQ(Texts(zl, true), want);
}

TEST(ZiplistTest, RejectsBrokenPrevlen) {
  std::string zl =
      Ziplist({"\x01"
               "a",
               "\x01"
               "b"});
  zl[13] = 5;  // second entry's prevlen
  Status st = ZiplistForEach(zl, [](const ListpackEntry&) { return true; });
  EXPECT_NE(st.message().find("prevlen"), std::string::npos) << st.message();
}

TEST(ZipmapTest, DecodesPairs) {
  std::string zm =
      "\x02\x03"
      "foo"
      "\x03\x01"
      "barX"
      "\x01"
      "k"
      "\x02\x00"
      "vv"
      "\xff"s;
  std::vector<std::string> seen;
  ASSERT_TRUE(ZipmapForEach(zm, [&](std::string_view f, std::string_view v) {
                seen.emplace_back(f);
                seen.emplace_back(v);
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"foo", "bar", "k", "vv"}));
  EXPECT_FALSE(ZipmapForEach(zm.substr(0, zm.size() - 3), [](auto, auto) {}).ok());
}

}  // namespace
}  // namespace vigil::datanode
