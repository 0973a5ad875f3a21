// The ACL rule parser: every rule form, every error, and how users print back as rules.
#include <gtest/gtest.h>

#include "common/base/glob.h"
#include "datanode/acl/acl_rules.h"
#include "datanode/acl/acl_selector.h"
#include "datanode/acl/acl_store.h"
#include "datanode/acl/sha256.h"

namespace vigil::datanode {
namespace {

const AclCatalog& Catalog() {
  return RedisAclCatalog();
}

AclUser NewUser() {
  return AclUser("u", &Catalog(), false);
}

std::string Apply(AclUser* u, std::vector<std::string> rules) {
  return AclApplyRules(u, rules, false);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("password"),
            "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
  // 56 bytes: the length no longer fits the first block.
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(AclCatalog, HoldsRedisCommandsAndSubcommands) {
  const AclCommand* get = Catalog().Find("GET");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->fullname, "get");
  const AclCommand* cfg = Catalog().Find("config|get");
  ASSERT_NE(cfg, nullptr);
  EXPECT_GE(cfg->parent, 0);
  EXPECT_NE(Catalog().Find("eval"), nullptr);  // rules may name commands Vigil does not serve
  EXPECT_EQ(Catalog().Find("get|x"), nullptr);
  EXPECT_EQ(Catalog().Find("config|get|x"), nullptr);
  EXPECT_TRUE(Catalog().Find("auth")->no_auth);
  EXPECT_LT(Catalog().commands().size(), size_t(AclCatalog::kFutureBit));
}

TEST(AclRules, NewUserIsOffWithNothing) {
  AclUser u = NewUser();
  EXPECT_EQ(u.Describe(), "off resetchannels -@all");
  AclUser all("v", &Catalog(), true);  // acl-pubsub-default allchannels
  EXPECT_EQ(all.Describe(), "off &* -@all");
}

TEST(AclRules, FlagsAndPasswords) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"on", ">pw", "#" + Sha256Hex("x"), ">pw"}), "");
  EXPECT_EQ(u.password_hashes().size(), 2u);
  EXPECT_TRUE(u.Authenticate("pw"));
  EXPECT_TRUE(u.Authenticate("x"));
  EXPECT_FALSE(u.Authenticate("y"));
  EXPECT_EQ(Apply(&u, {"<pw", "!" + Sha256Hex("x")}), "");
  EXPECT_TRUE(u.password_hashes().empty());
  EXPECT_FALSE(u.Authenticate(""));
  EXPECT_EQ(Apply(&u, {"nopass"}), "");
  EXPECT_TRUE(u.Authenticate("anything"));
  EXPECT_EQ(Apply(&u, {">p", "off"}), "");
  EXPECT_FALSE(u.nopass());
  EXPECT_FALSE(u.Authenticate("p"));  // off
  EXPECT_EQ(Apply(&u, {"ON", "resetpass"}), "");
  EXPECT_FALSE(u.Authenticate("p"));
  EXPECT_EQ(Apply(&u, {"skip-sanitize-payload"}), "");
  EXPECT_EQ(u.Describe(), "on skip-sanitize-payload resetchannels -@all");
  EXPECT_EQ(Apply(&u, {"sanitize-payload", ""}), "");  // an empty rule does nothing
  EXPECT_EQ(u.Describe(), "on sanitize-payload resetchannels -@all");
}

TEST(AclRules, KeysChannelsAndCommands) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"~a*", "%R~r*", "%W~w*", "%RW~b*", "~a*", "%R~w*", "&ch", "&ch", "+get",
                       "+@hash", "-hdel", "+config|get", "+select|0", "+SELECT|0"}),
            "");
  EXPECT_EQ(u.root().KeysText(), "~a* %R~r* ~w* ~b*");
  EXPECT_EQ(u.root().ChannelsText(), "&ch");
  std::string rules = u.root().DescribeCommands();
  EXPECT_EQ(rules.rfind("-@all +@hash ", 0), 0u) << rules;
  for (const char* part : {" -hdel", " +get", " +config|get", " +select|0"}) {
    EXPECT_NE(rules.find(part), std::string::npos) << part << " in " << rules;
  }
  EXPECT_EQ(rules.find("+select|0 +select|0"), std::string::npos);
  EXPECT_EQ(Apply(&u, {"allkeys", "allchannels", "allcommands"}), "");
  EXPECT_EQ(u.Describe(), "off ~* &* +@all");
  EXPECT_TRUE(u.unrestricted());
  EXPECT_EQ(Apply(&u, {"resetkeys", "resetchannels", "nocommands"}), "");
  EXPECT_EQ(u.Describe(), "off resetchannels -@all");
  EXPECT_FALSE(u.unrestricted());
}

TEST(AclRules, CategoriesPrintAsRedisPrintsThem) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"+@all", "-@dangerous"}), "");
  EXPECT_EQ(u.root().DescribeCommands(), "+@all -@dangerous");
  EXPECT_EQ(Apply(&u, {"-@all", "+@read", "+@write"}), "");
  EXPECT_EQ(u.root().DescribeCommands(), "-@all +@write +@read");
  EXPECT_EQ(Apply(&u, {"+@all", "-get", "-@hash"}), "");
  EXPECT_EQ(u.root().DescribeCommands(), "+@all -@hash -get");
  // A container takes its subcommands along; -@all after it clears them too.
  EXPECT_EQ(Apply(&u, {"-@all", "+config"}), "");
  EXPECT_EQ(u.root().DescribeCommands().find("+config|"), std::string::npos);
}

TEST(AclRules, Selectors) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"(+get ~k*)", "(+set", "~w*", "&c)", "()"}), "");
  ASSERT_EQ(u.selectors().size(), 4u);
  EXPECT_EQ(u.selectors()[1].Describe(), "~k* resetchannels -@all +get");
  EXPECT_EQ(u.selectors()[2].Describe(), "~w* resetchannels &c -@all +set");
  EXPECT_EQ(u.selectors()[3].Describe(), "resetchannels -@all");
  EXPECT_EQ(Apply(&u, {"clearselectors"}), "");
  EXPECT_EQ(u.selectors().size(), 1u);
  EXPECT_EQ(Apply(&u, {"(+get", "~k*"}),
            "Unmatched parenthesis in acl selector starting at '(+get'.");
  EXPECT_EQ(Apply(&u, {"(+nosuch)"}),
            "Error in ACL SETUSER modifier '(+nosuch)': Unknown command or category name in ACL");
  EXPECT_EQ(Apply(&u, {"(~k \"x y\")"}),
            "Error in ACL SETUSER modifier '(~k \"x y\")': Syntax error");
}

// SORT BY/GET's test (upstream acl-v2 "Test sort with ACL permissions"): a "*" pattern that
// grants reading counts as every key, a write-only one or a narrower one does not.
TEST(AclRules, UnrestrictedKeyAccessWantsStarWithThePermission) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"(+sort ~mylist ~v*)", "(+sort ~mylist %W~*)", "(+sort ~mylist %R~*)",
                       "(+sort ~*)", "(+sort allkeys)"}),
            "");
  ASSERT_EQ(u.selectors().size(), 6u);
  EXPECT_FALSE(u.selectors()[1].HasUnrestrictedKeyAccess(kAclKeyRead));
  EXPECT_FALSE(u.selectors()[2].HasUnrestrictedKeyAccess(kAclKeyRead));
  EXPECT_TRUE(u.selectors()[2].HasUnrestrictedKeyAccess(kAclKeyWrite));
  EXPECT_TRUE(u.selectors()[3].HasUnrestrictedKeyAccess(kAclKeyRead));
  EXPECT_FALSE(u.selectors()[3].HasUnrestrictedKeyAccess(kAclKeyAll));
  EXPECT_TRUE(u.selectors()[4].HasUnrestrictedKeyAccess(kAclKeyAll));
  EXPECT_TRUE(u.selectors()[5].HasUnrestrictedKeyAccess(kAclKeyAll));
}

TEST(AclRules, ResetReturnsToANewUser) {
  AclUser u = NewUser();
  EXPECT_EQ(Apply(&u, {"on", ">p", "~*", "&*", "+@all", "(+get)", "reset"}), "");
  EXPECT_EQ(u.Describe(), "off sanitize-payload resetchannels -@all");
  AclUser v("v", &Catalog(), true);
  std::vector<std::string> reset{"reset"};
  EXPECT_EQ(AclApplyRules(&v, reset, true), "");
  EXPECT_EQ(v.Describe(), "off sanitize-payload &* -@all");
}

TEST(AclRules, ErrorsUseRedisTexts) {
  AclUser u = NewUser();
  auto err = [&](const std::string& rule) { return Apply(&u, {"on", rule}); };
  auto prefix = [](const std::string& rule) {
    return "Error in ACL SETUSER modifier '" + rule + "': ";
  };
  EXPECT_EQ(err("bogus"), prefix("bogus") + "Syntax error");
  EXPECT_EQ(err("+nosuch"), prefix("+nosuch") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("-nosuch"), prefix("-nosuch") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("+@nosuch"), prefix("+@nosuch") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("-@"), prefix("-@") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("+"), prefix("+") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("+config|nosuch"),
            prefix("+config|nosuch") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("+config|get|x"),
            prefix("+config|get|x") + "Allowing first-arg of a subcommand is not supported");
  EXPECT_EQ(err("+get|"), prefix("+get|") + "Syntax error");
  EXPECT_EQ(err("-select|0"), prefix("-select|0") + "Unknown command or category name in ACL");
  EXPECT_EQ(err("%X~k"), prefix("%X~k") + "Syntax error");
  EXPECT_EQ(err("%RR~k"), prefix("%RR~k") + "Syntax error");
  EXPECT_EQ(err("%"), prefix("%") + "Syntax error");
  EXPECT_EQ(err("~a b"), prefix("~a b") + "Syntax error");
  EXPECT_EQ(err("&a\tb"), prefix("&a\tb") + "Syntax error");
  EXPECT_EQ(err("#abc"), prefix("#abc") +
                             "The password hash must be exactly 64 characters and contain only "
                             "lowercase hexadecimal characters");
  EXPECT_EQ(err("!" + std::string(64, 'A')).substr(0, 80),
            (prefix("!" + std::string(64, 'A')) + "The password hash").substr(0, 80));
  EXPECT_EQ(
      err("<nosuch"),
      prefix("<nosuch") + "The password you are trying to remove from the user does not exist");
  AclUser all = NewUser();
  EXPECT_EQ(Apply(&all, {"allkeys", "~k"}),
            prefix("~k") +
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
                "does not have any effect. Try 'resetkeys' to start with an empty list of "
                "patterns");
  EXPECT_EQ(Apply(&all, {"&*", "&c"}),
            prefix("&c") +
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid "
                "and does not have any effect. Try 'resetchannels' to start with an empty list "
                "of channels");
  // A failing list changes nothing, not even the rules before the bad one.
  EXPECT_EQ(u.Describe(), "off resetchannels -@all");
}

TEST(AclRules, MergeSelectorArguments) {
  size_t bad = 99;
  std::vector<std::string> in{"on", "(+get", "~k)", "(+set)", "(", ")"};
  auto merged = AclMergeSelectorArgs(in, &bad);
  ASSERT_TRUE(merged);
  EXPECT_EQ(*merged, (std::vector<std::string>{"on", "(+get ~k)", "(+set)", "( )"}));
  std::vector<std::string> open{"on", "(+get", "~k"};
  EXPECT_FALSE(AclMergeSelectorArgs(open, &bad));
  EXPECT_EQ(bad, 1u);
}

// The literal-prefix shortcut decides exactly as the glob does.
TEST(AclKeyPatterns, LiteralPrefixAgreesWithTheGlob) {
  struct Case {
    const char* pattern;
    const char* key;
  };
  const Case cases[] = {{"key:*", "key:1"},
                        {"key:*", "key:"},
                        {"key:*", "ke"},
                        {"key:*", "kez:1"},
                        {"*", ""},
                        {"*", "x"},
                        {"k?y*", "key:1"},
                        {"k?y*", "kay"},
                        {"k?y*", "ky"},
                        {"exact", "exact"},
                        {"exact", "exactly"},
                        {"a[bc]*", "ab1"},
                        {"a[bc]*", "ad1"},
                        {"a\\*b", "a*b"},
                        {"a\\*b", "axb"},
                        {"pre*suf", "presuf"},
                        {"pre*suf", "prexsu"},
                        {"", ""}};
  for (const Case& c : cases) {
    const AclKeyPattern k = MakeAclKeyPattern(c.pattern, kAclKeyAll);
    const bool shortcut =
        std::string_view(c.key).substr(0, k.literal_prefix.size()) == k.literal_prefix &&
        ((k.prefix_only && *c.key != '\0') || GlobMatch(k.pattern, c.key));
    EXPECT_EQ(shortcut, GlobMatch(c.pattern, c.key)) << c.pattern << " vs " << c.key;
  }
  EXPECT_TRUE(MakeAclKeyPattern("key:*", kAclKeyAll).prefix_only);
  EXPECT_FALSE(MakeAclKeyPattern("key:*x", kAclKeyAll).prefix_only);
  EXPECT_EQ(MakeAclKeyPattern("ab?c", kAclKeyAll).literal_prefix, "ab");
}

}  // namespace
}  // namespace vigil::datanode
