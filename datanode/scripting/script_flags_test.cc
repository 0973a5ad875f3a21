#include "datanode/scripting/script_flags.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

TEST(ScriptFlags, NoShebangIsCompatibilityMode) {
  uint32_t flags = 0;
  size_t len = 7;
  std::string err;
  ASSERT_TRUE(ParseShebang("return 1", &flags, &len, &err));
  EXPECT_EQ(flags, uint32_t(kScriptEvalCompat));
  EXPECT_EQ(len, 0u);
}

TEST(ScriptFlags, ShebangFlags) {
  uint32_t flags = 0;
  size_t len = 0;
  std::string err;
  ASSERT_TRUE(ParseShebang("#!lua flags=no-writes,allow-oom\nreturn 1", &flags, &len, &err));
  EXPECT_EQ(flags, uint32_t(kScriptNoWrites | kScriptAllowOom));
  EXPECT_EQ(len, 31u);
  ASSERT_TRUE(ParseShebang("#!lua\nreturn 1", &flags, &len, &err));
  EXPECT_EQ(flags, 0u);
  ASSERT_TRUE(ParseShebang("#!lua flags=\nreturn 1", &flags, &len, &err));
  EXPECT_EQ(flags, 0u);
  ASSERT_TRUE(ParseShebang("#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\n", &flags,
                           &len, &err));
  EXPECT_EQ(flags, uint32_t(kScriptAllowStale | kScriptNoCluster | kScriptAllowCrossSlot));
}

TEST(ScriptFlags, ShebangErrors) {
  uint32_t flags = 0;
  size_t len = 0;
  std::string err;
  EXPECT_FALSE(ParseShebang("#!lua", &flags, &len, &err));
  EXPECT_EQ(err, "Invalid script shebang");
  EXPECT_FALSE(ParseShebang("#!python\n", &flags, &len, &err));
  EXPECT_EQ(err, "Unexpected engine in script shebang: #!python");
  EXPECT_FALSE(ParseShebang("#!lua flags=foo\n", &flags, &len, &err));
  EXPECT_EQ(err, "Unexpected flag in script shebang: foo");
  EXPECT_FALSE(ParseShebang("#!lua flags=no-writes,,allow-oom\n", &flags, &len, &err));
  EXPECT_EQ(err, "Unexpected flag in script shebang: ");
  EXPECT_FALSE(ParseShebang("#!lua name=x\n", &flags, &len, &err));
  EXPECT_EQ(err, "Unknown lua shebang option: name=x");
  EXPECT_FALSE(ParseShebang("#!lua \"open\n", &flags, &len, &err));
  EXPECT_EQ(err, "Invalid engine in script shebang");
}

TEST(ScriptFlags, SplitArgsQuotes) {
  std::vector<std::string> parts;
  ASSERT_TRUE(SplitArgs("  a \"b c\" 'd e'  \"\\x41\\n\" ", &parts));
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[1], "b c");
  EXPECT_EQ(parts[2], "d e");
  EXPECT_EQ(parts[3], "A\n");
  EXPECT_FALSE(SplitArgs("\"a\"b", &parts));
  EXPECT_FALSE(SplitArgs("'a", &parts));
}

}  // namespace
}  // namespace vigil::datanode
