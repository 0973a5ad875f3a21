#include "common/base/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

std::string Hex(std::string_view s) {
  Sha1::Digest d = Sha1::Of(s);
  return HexLower(d.data(), d.size());
}

TEST(Sha1, MatchesFips180TestVectors) {
  EXPECT_EQ(Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, IncrementalUpdatesEqualOneShot) {
  std::string text(200, 'x');
  for (size_t i = 0; i < text.size(); ++i) text[i] = char('a' + i % 26);
  for (size_t split = 0; split <= text.size(); split += 7) {
    Sha1 s;
    s.Update(std::string_view(text).substr(0, split));
    s.Update(std::string_view(text).substr(split));
    Sha1::Digest d = s.Final();
    EXPECT_EQ(HexLower(d.data(), d.size()), Hex(text)) << "split at " << split;
  }
}

}  // namespace
}  // namespace vigil
