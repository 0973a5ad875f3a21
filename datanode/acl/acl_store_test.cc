// The user set: ACL SETUSER atomicity, DELUSER, requirepass, config `user` lines and ACL files.
#include <gtest/gtest.h>

#include "datanode/acl/acl_store.h"

namespace vigil::datanode {
namespace {

std::vector<std::string> Lines(const AclStore& s) {
  return s.UserLines();
}

TEST(AclStore, StartsWithTheDefaultUser) {
  AclStore s(&RedisAclCatalog());
  EXPECT_EQ(Lines(s), (std::vector<std::string>{"user default on nopass ~* &* +@all"}));
  EXPECT_TRUE(s.default_user()->unrestricted());
}

TEST(AclStore, SetUserIsAllOrNothing) {
  AclStore s(&RedisAclCatalog());
  std::vector<std::string> bad{"on", "bogus"};
  EXPECT_EQ(s.SetUser("alice", bad), "Error in ACL SETUSER modifier 'bogus': Syntax error");
  EXPECT_EQ(s.Find("alice"), nullptr);
  std::vector<std::string> good{"on", ">pw", "~*", "+get"};
  EXPECT_EQ(s.SetUser("alice", good), "");
  AclUser* alice = s.Find("alice");
  ASSERT_NE(alice, nullptr);
  std::unique_ptr<AclUser> before;
  std::vector<std::string> more{"+set", "nosuch"};
  EXPECT_NE(s.SetUser("alice", more, &before), "");
  EXPECT_EQ(before, nullptr);
  EXPECT_EQ(s.Find("alice"), alice);  // the object stays: sessions point at it
  std::vector<std::string> off{"off"};
  EXPECT_EQ(s.SetUser("alice", off, &before), "");
  ASSERT_NE(before, nullptr);
  EXPECT_TRUE(before->enabled());
  EXPECT_FALSE(alice->enabled());
}

TEST(AclStore, RemoveNeverTakesDefault) {
  AclStore s(&RedisAclCatalog());
  std::vector<std::string> rules{"on"};
  s.SetUser("bob", rules);
  EXPECT_EQ(s.Remove("default"), nullptr);
  EXPECT_NE(s.Remove("bob"), nullptr);
  EXPECT_EQ(s.Remove("bob"), nullptr);
}

TEST(AclStore, RequirepassSetsTheDefaultPassword) {
  AclStore s(&RedisAclCatalog());
  s.SetDefaultPassword("secret");
  EXPECT_FALSE(s.default_user()->nopass());
  EXPECT_TRUE(s.default_user()->Authenticate("secret"));
  EXPECT_FALSE(s.default_user()->Authenticate("other"));
  s.SetDefaultPassword("");
  EXPECT_TRUE(s.default_user()->nopass());
}

TEST(AclStore, ConfigUsers) {
  AclStore s(&RedisAclCatalog());
  EXPECT_EQ(s.LoadConfigUsers({{"r.conf:3", {"alice", "on", ">pw", "~*", "(+get", "~k)"}},
                               {"r.conf:4", {"default", "on", ">x", "+@all"}}}),
            "");
  EXPECT_EQ(s.Find("alice")->selectors().size(), 2u);
  EXPECT_EQ(s.default_user()->Describe(),
            "on sanitize-payload #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 "
            "resetchannels +@all");
  AclStore t(&RedisAclCatalog());
  EXPECT_EQ(t.LoadConfigUsers({{"r.conf:7", {"bob", "on", "badrule"}}}),
            "r.conf:7: Error in user declaration 'badrule': Syntax error");
  EXPECT_EQ(t.LoadConfigUsers({{"r.conf:7", {"bob"}}, {"r.conf:8", {"bob"}}}),
            "r.conf:8: Error in user declaration 'bob': Duplicate user found. A user can only be "
            "defined once in config files");
  EXPECT_EQ(t.LoadConfigUsers({{"r.conf:9", {"carol", "+nosuch"}}}),
            "r.conf:9: Error loading ACL rule '+nosuch' for the user named 'carol': Unknown "
            "command or category name in ACL");
}

TEST(AclStore, LoadFileReplacesUsersOrNothing) {
  AclStore s(&RedisAclCatalog());
  std::vector<std::string> rules{"on", "nopass"};
  s.SetUser("old", rules);
  AclUser* def = s.default_user();
  std::vector<std::unique_ptr<AclUser>> removed;
  EXPECT_EQ(s.LoadFile("user alice on >pw ~* +@all\n\r\n  \nuser default on nopass ~* -@all +get\n",
                       "users.acl", &removed),
            "");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0]->name(), "old");
  EXPECT_EQ(s.default_user(), def);
  EXPECT_EQ(Lines(s)[1], "user default on nopass ~* resetchannels -@all +get");
  EXPECT_NE(s.Find("alice"), nullptr);

  removed.clear();
  std::string err = s.LoadFile(
      "user bob on\nnotuser x\nuser bob on\nuser carol +nosuch +nosuch2 bogus %X~k\n"
      "user dave (+get\nuser e\\x01 on\n",
      "users.acl", &removed);
  EXPECT_EQ(err,
            "users.acl:2 should start with user keyword followed by the username. "
            "WARNING: Duplicate user 'bob' found on line 3. "
            "users.acl:4: Error in applying operation '+nosuch': Unknown command or category name "
            "in ACL. "
            "users.acl:4: Error in applying operation '+nosuch2': Unknown command or category "
            "name in ACL. "
            "users.acl:4: Syntax error. "
            "users.acl:5: Unmatched parenthesis in selector definition."
            "WARNING: ACL errors detected, no change to the previously active ACL rules was "
            "performed");
  EXPECT_TRUE(removed.empty());
  EXPECT_NE(s.Find("alice"), nullptr);
  EXPECT_EQ(s.Find("bob"), nullptr);
}

TEST(AclStore, LoadFileWithoutDefaultGivesTheBuiltInOne) {
  AclStore s(&RedisAclCatalog());
  std::vector<std::string> rules{"off", "-@all"};
  s.SetUser("default", rules);
  std::vector<std::unique_ptr<AclUser>> removed;
  EXPECT_EQ(s.LoadFile("user alice on nopass\n", "f", &removed), "");
  EXPECT_EQ(s.default_user()->Describe(), "on nopass ~* &* +@all");
}

}  // namespace
}  // namespace vigil::datanode
