// The struct library through EVAL: layouts, conversions and error texts as redis-server 7.0.15
// gives them (expected values taken from it).
#include <gtest/gtest.h>

#include "tests/support/lua_eval.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

using testing::Bulk;
constexpr auto Eval = &testing::EvalWithHex;
constexpr auto ErrorText = &testing::EvalErrorText;

TEST(LuaStruct, PackIntegersBothEndians) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>i', 1))"), Bulk("00000001"));
  EXPECT_EQ(Eval(h,
                 "return hex(struct.pack('<i2 >I3 b B h H l L T', -2, 65536*3+5, -1, 255, "
                 "-300, 300, -5, 5, 7))"),
            Bulk("feff030005fffffed4012cfffffffffffffffb00000000000000050000000000000007"));
  // Past eight bytes the field is zero-filled, whatever the sign.
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>i16', -1))"),
            Bulk("0000000000000000ffffffffffffffff"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('<i12', -2))"), Bulk("feffffffffffffff00000000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('i', '12'))"), Bulk("0c000000"));
}

TEST(LuaStruct, OutOfRangeNumbersConvertAsX86Does) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>L', 2^64))"), Bulk("0000000000000000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>L', 0/0))"), Bulk("8000000000000000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>L', 2^63+4096))"), Bulk("8000000000001000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>l', -2^63-4096))"), Bulk("8000000000000000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>l', 2^70))"), Bulk("0000000000000000"));
}

TEST(LuaStruct, Alignment) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(struct.pack('!4 b i b d', 1, 2, 3, 4.5))"),
            Bulk("0100000002000000030000000000000000001240"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('!b i3', 1, 2))"), Bulk("010000020000"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('! b h i3 l', 1, 2, 3, 4))"),
            Bulk("010002000000030000000000000000000400000000000000"));
  EXPECT_EQ(Eval(h, "return struct.size('!4 b i3 b h')"), ":10\r\n");
  EXPECT_EQ(Eval(h, "return struct.size('>!8 b d')"), ":16\r\n");
  EXPECT_EQ(Eval(h, "return struct.size('zq i')"), ":4\r\n");
}

TEST(LuaStruct, StringsAndFloats) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return hex(struct.pack('c0 s', 'abc', 'de'))"), Bulk("616263646500"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('c2', 'abcdef'))"), Bulk("6162"));
  EXPECT_EQ(Eval(h, "return hex(struct.pack('>f<d', 1.5, 0.1))"), Bulk("3fc000009a9999999999b93f"));
  EXPECT_EQ(Eval(h,
                 "local f, d, n = struct.unpack('>f d', struct.pack('>f d', 1.5, 0.1)) "
                 "return {tostring(f), tostring(d), n}"),
            "*3\r\n" + Bulk("1.5") + Bulk("0.1") + ":13\r\n");
}

TEST(LuaStruct, Unpack) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return {struct.unpack('>i16', struct.pack('>i16', -1))}"),
            "*2\r\n:-1\r\n:17\r\n");
  EXPECT_EQ(Eval(h,
                 "return {struct.unpack('>i9', string.rep(string.char(0), 8) .. "
                 "string.char(0x80))}"),
            "*2\r\n:-128\r\n:10\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('>i0', 'abc')}"), "*2\r\n:0\r\n:1\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('b c0', struct.pack('b c3', 3, 'xyz'))}"),
            "*2\r\n" + Bulk("xyz") + ":5\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('c1 c0', '2abc')}"), "*2\r\n" + Bulk("ab") + ":4\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('s s', 'ab\\0cd\\0')}"),
            "*3\r\n" + Bulk("ab") + Bulk("cd") + ":7\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('b', 'ab', 2)}"), "*2\r\n:98\r\n:3\r\n");
  EXPECT_EQ(Eval(h, "return {struct.unpack('x b', 'ab')}"), "*2\r\n:98\r\n:3\r\n");
}

TEST(LuaStruct, ErrorTexts) {
  ServiceHarness h;
  const std::string p = "-ERR user_script:1: ";
  EXPECT_EQ(ErrorText(h, "return struct.pack('c5', 'ab')"),
            p + "bad argument #3 to 'pack' (string too short)");
  EXPECT_EQ(ErrorText(h, "return struct.pack('i')"),
            p + "bad argument #2 to 'pack' (number expected, got nil)");
  EXPECT_EQ(ErrorText(h, "return struct.pack('ii', 1)"),
            p + "bad argument #3 to 'pack' (number expected, got nil)");
  EXPECT_EQ(ErrorText(h, "return struct.pack('z')"),
            p + "bad argument #1 to 'pack' (invalid format option 'z')");
  EXPECT_EQ(ErrorText(h, "return struct.pack('!3')"), p + "alignment 3 is not a power of 2");
  EXPECT_EQ(ErrorText(h, "return struct.pack('i33')"),
            p + "integral size 33 is larger than limit of 32");
  EXPECT_EQ(ErrorText(h, "return struct.pack('c99999999999')"), p + "integral size overflow");
  EXPECT_EQ(ErrorText(h, "return struct.unpack('c0', 'abc')"),
            p + "format 'c0' needs a previous size");
  EXPECT_EQ(ErrorText(h, "return struct.unpack('s', 'ab')"), p + "unfinished string in data");
  EXPECT_EQ(ErrorText(h, "return struct.unpack('i', 'ab')"),
            p + "bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(ErrorText(h, "return struct.unpack('b', 'ab', 0)"),
            p + "bad argument #3 to 'unpack' (offset must be 1 or greater)");
  EXPECT_EQ(ErrorText(h, "return struct.unpack('b', 'ab', -1)"),
            p + "bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(ErrorText(h, "return struct.size('s')"),
            p + "bad argument #1 to 'size' (option 's' has no fixed size)");
  EXPECT_EQ(ErrorText(h, "return struct.size('c0')"),
            p + "bad argument #1 to 'size' (option 'c0' has no fixed size)");
  EXPECT_EQ(ErrorText(h, "return struct.size('?')"),
            p + "bad argument #1 to 'size' (invalid format option '?')");
  EXPECT_NE(Eval(h, "struct.pack = 1").find("Attempt to modify a readonly table"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::datanode
