// The cmsgpack library through EVAL: encodings Redis 7.0.15 produces, decoding, the offsets of
// unpack_one/unpack_limit and the error texts (expected values taken from redis-server).
#include <gtest/gtest.h>

#include "tests/support/lua_eval.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

using testing::Bulk;
constexpr auto Eval = &testing::EvalWithHex;
constexpr auto ErrorText = &testing::EvalErrorText;

TEST(LuaCmsgpack, IntegersTakeTheirSmallestForm) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h,
                 "return hex(cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, "
                 "4294967296))"),
            Bulk("007fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000"));
  EXPECT_EQ(Eval(h,
                 "return hex(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, "
                 "-2147483648, -2147483649))"),
            Bulk("ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffff"));
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack(-1099511627776))"), Bulk("d3ffffff0000000000"));
}

TEST(LuaCmsgpack, NonIntegersAreFloatWhenExactElseDouble) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack(0.5, 0.1, 1/0, -1/0, 1e39))"),
            Bulk("ca3f000000cb3fb999999999999aca7f800000caff800000cb48078287f49c4a1d"));
  // 2^63 and 2^64 are no int64 but are exact floats; -2^63 is an int64.
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack(2^63, 2^64, -2^63, 0/0, -0.0, 2^53+1))"),
            Bulk("ca5f000000ca5f800000d38000000000000000cbfff8000000000000"
                 "00cf0020000000000000"));
}

TEST(LuaCmsgpack, StringsAndTables) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack({}, {1,2,3}, {[1]=1,[3]=3}, {a=true, [1]=false}))"),
            Bulk("9093010203820101030382a161c301c2"));
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack('', string.rep('b', 32)):sub(1, 8))"),
            Bulk("a0d9206262626262"));
  EXPECT_EQ(Eval(h,
                 "local s = cmsgpack.pack(string.rep('a', 256), string.rep('a', 65536)) "
                 "return {#s, hex(s:sub(1, 3)), hex(s:sub(260, 264))}"),
            "*3\r\n:65800\r\n" + Bulk("da0100") + Bulk("db00010000"));
  EXPECT_EQ(Eval(h, "return hex(cmsgpack.pack(nil, true, false, redis.call))"), Bulk("c0c3c2c0"));
}

TEST(LuaCmsgpack, NestingStopsAtSixteenLevels) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h,
                 "local a = {x=nil, y=5} local b = {x=a} a['x'] = b "
                 "local re = cmsgpack.unpack(cmsgpack.pack(a)) "
                 "return {hex(cmsgpack.pack(a)), re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y, "
                 "type(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)}"),
            "*3\r\n" +
                Bulk("82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178"
                     "82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178"
                     "c0") +
                ":5\r\n" + Bulk("nil"));
}

TEST(LuaCmsgpack, UnpackReturnsEveryValue) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack(cmsgpack.pack(1, 'x', {2, 3}))}"),
            "*3\r\n:1\r\n$1\r\nx\r\n*2\r\n:2\r\n:3\r\n");
  EXPECT_EQ(Eval(h, "local t = cmsgpack.unpack(cmsgpack.pack({a=1, b={c='d'}})) return t.b.c"),
            Bulk("d"));
  EXPECT_EQ(Eval(h,
                 "return {cmsgpack.unpack(string.char(0xcf, 255,255,255,255,255,255,255,255, "
                 "0xd3, 0x80,0,0,0,0,0,0,1, 0xd1, 0xff, 0x80, 0xd2, 0x80, 0, 0, 0))}"),
            "*4\r\n:-1\r\n:-9223372036854775808\r\n:-128\r\n:-2147483648\r\n");
  EXPECT_EQ(Eval(h, "return tostring(cmsgpack.unpack(cmsgpack.pack(0.1)))"), Bulk("0.1"));
  EXPECT_EQ(Eval(h, "return cmsgpack.unpack('123')"), ":49\r\n");
}

TEST(LuaCmsgpack, OffsetsOfUnpackOneAndLimit) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3))}"), "*2\r\n:1\r\n:1\r\n");
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 2)}"),
            "*2\r\n:-1\r\n:3\r\n");
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}"),
            "*3\r\n:2\r\n:1\r\n:2\r\n");
  // limit 0 with offset 0 is a plain unpack: every value, no offset.
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 0)}"),
            "*3\r\n:1\r\n:2\r\n:3\r\n");
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 0, 1)}"), "*1\r\n:1\r\n");
  EXPECT_EQ(Eval(h, "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 5, 3)}"), "*1\r\n:-1\r\n");
}

TEST(LuaCmsgpack, ErrorTexts) {
  ServiceHarness h;
  EXPECT_EQ(ErrorText(h, "return cmsgpack.pack()"),
            "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack(string.char(0xcd, 1))"),
            "-ERR user_script:1: Missing bytes in input.");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack(string.char(0xc4, 1, 1))"),
            "-ERR user_script:1: Bad data format in input.");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack(string.char(0x81, 0xc0, 1))"),
            "-ERR table index is nil");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack_one('abc', -1)"),
            "-ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 3.");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack_one('abc', 4)"),
            "-ERR user_script:1: Start offset 4 greater than input length 3.");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack({})"),
            "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got table)");
  EXPECT_EQ(
      ErrorText(h, "return cmsgpack.unpack_limit('a')"),
      "-ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack_one()"),
            "-ERR user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value)");
  EXPECT_EQ(ErrorText(h, "return select('#', cmsgpack.unpack(string.rep('a', 9000)))"),
            "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one "
            "or unpack_limit instead.)");
  EXPECT_EQ(ErrorText(h, "return cmsgpack.unpack(string.rep(string.char(0x91), 5000) .. 'a')"),
            "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array)");
}

TEST(LuaCmsgpack, LibraryTableIsReadOnlyWithRedisMetadata) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h,
                 "return cmsgpack._VERSION .. '|' .. cmsgpack._NAME .. '|' .. "
                 "cmsgpack._COPYRIGHT .. '|' .. cmsgpack._DESCRIPTION"),
            Bulk("lua-cmsgpack 0.4.0|cmsgpack|Copyright (C) 2012, Salvatore Sanfilippo|"
                 "MessagePack C implementation for Lua"));
  EXPECT_NE(
      Eval(h, "cmsgpack.pack = function() return 1 end").find("Attempt to modify a readonly table"),
      std::string::npos);
  // The library table itself encodes as Redis's does: 8 entries, functions as nil.
  EXPECT_EQ(Eval(h, "return #cmsgpack.pack(cmsgpack)"), ":188\r\n");
}

}  // namespace
}  // namespace vigil::datanode
