// The request checks: commands (bits, first arguments), keys by the access the command makes
// (key specs and Redis's native finders), channels, and several selectors.
#include <gtest/gtest.h>

#include "datanode/acl/acl_rules.h"

namespace vigil::datanode {
namespace {

struct Checked {
  AclDenial denial;
  int errpos;
};

class AclPermissions : public ::testing::Test {
 protected:
  void Rules(std::vector<std::string> rules) {
    user_ = std::make_unique<AclUser>("u", &RedisAclCatalog(), false);
    ASSERT_EQ(AclApplyRules(user_.get(), rules, false), "");
  }
  Checked Check(std::vector<std::string> args) {
    const AclCatalog& c = RedisAclCatalog();
    const AclCommand* cmd = c.Find(args[0]);
    if (cmd != nullptr && !cmd->subcommands.empty() && args.size() >= 2) {
      cmd = c.Find(cmd->fullname + "|" + args[1]);
    }
    EXPECT_NE(cmd, nullptr) << args[0];
    int errpos = -1;
    AclDenial d = user_->Check(*cmd, args, &errpos);
    return {d, d == AclDenial::kNone ? -1 : errpos};
  }
  AclDenial Denial(std::vector<std::string> args) { return Check(std::move(args)).denial; }

  std::unique_ptr<AclUser> user_;
};

TEST_F(AclPermissions, CommandBitsAndFirstArgs) {
  Rules({"allkeys", "+get", "+config|get", "+select|0", "+@hash", "-hdel"});
  EXPECT_EQ(Denial({"get", "k"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"GET", "k"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"set", "k", "v"}), AclDenial::kCommand);
  EXPECT_EQ(Denial({"config", "get", "x"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"config", "set", "x", "y"}), AclDenial::kCommand);
  EXPECT_EQ(Denial({"select", "0"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"select", "1"}), AclDenial::kCommand);
  EXPECT_EQ(Denial({"hset", "h", "f", "v"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"hdel", "h", "f"}), AclDenial::kCommand);
  EXPECT_EQ(Denial({"auth", "x"}), AclDenial::kNone);  // no-auth commands are never refused
  EXPECT_EQ(Denial({"hello", "3"}), AclDenial::kNone);
}

TEST_F(AclPermissions, KeysByAccess) {
  Rules({"+@all", "~app:*", "%R~ro:*", "%W~wo:*"});
  EXPECT_EQ(Denial({"get", "app:1"}), AclDenial::kNone);
  EXPECT_EQ(Check({"get", "other"}).errpos, 1);
  EXPECT_EQ(Denial({"get", "other"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"get", "ro:1"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"set", "ro:1", "v"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"set", "wo:1", "v"}), AclDenial::kNone);        // SET writes only
  EXPECT_EQ(Denial({"set", "wo:1", "v", "GET"}), AclDenial::kKey);  // ... unless GET reads
  EXPECT_EQ(Denial({"get", "wo:1"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"del", "wo:1"}), AclDenial::kNone);
  // The first refused key is the one reported.
  Checked c = Check({"mget", "app:1", "ro:1", "x", "y"});
  EXPECT_EQ(c.denial, AclDenial::kKey);
  EXPECT_EQ(c.errpos, 3);
  EXPECT_EQ(Denial({"copy", "ro:1", "wo:1"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"copy", "wo:1", "ro:1"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"lmove", "ro:1", "wo:1", "left", "right"}), AclDenial::kKey);  // RW source
}

TEST_F(AclPermissions, NativeFinders) {
  Rules({"+@all", "%R~r*", "~w*"});
  EXPECT_EQ(Denial({"bitfield", "r1", "GET", "u8", "0"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"bitfield", "r1", "SET", "u8", "0", "1"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"sort", "r1"}), AclDenial::kNone);
  EXPECT_EQ(Check({"sort", "r1", "STORE", "r2"}).errpos, 3);
  EXPECT_EQ(Denial({"sort", "r1", "LIMIT", "0", "1", "STORE", "w2"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"zunionstore", "r3", "2", "w1", "w2"}), AclDenial::kKey);  // dest written
  EXPECT_EQ(Denial({"zunionstore", "w1", "2", "w2", "w3"}), AclDenial::kNone);
  EXPECT_EQ(Check({"xread", "COUNT", "1", "STREAMS", "r1", "x1", "0", "0"}).errpos, 5);
  EXPECT_EQ(Denial({"eval", "return 1", "1", "x"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"eval", "return 1", "0"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"migrate", "h", "1", "", "0", "5", "KEYS", "w1", "r1"}), AclDenial::kKey);
  EXPECT_EQ(Denial({"georadius", "r1", "0", "0", "1", "km", "STORE", "x"}), AclDenial::kKey);
}

TEST_F(AclPermissions, Channels) {
  Rules({"+@all", "allkeys", "&news.*", "&exact"});
  EXPECT_EQ(Denial({"publish", "news.today", "m"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"publish", "sports", "m"}), AclDenial::kChannel);
  Checked c = Check({"subscribe", "exact", "news.x", "other"});
  EXPECT_EQ(c.denial, AclDenial::kChannel);
  EXPECT_EQ(c.errpos, 3);
  // A pattern subscription must be granted literally.
  EXPECT_EQ(Denial({"psubscribe", "news.*"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"psubscribe", "news.x*"}), AclDenial::kChannel);
  EXPECT_EQ(Denial({"unsubscribe", "anything"}), AclDenial::kNone);
}

TEST_F(AclPermissions, SelectorsAndTheMostRelevantDenial) {
  Rules({"+get", "~a*", "(+set ~b*)", "(+@all ~c* &x)"});
  EXPECT_EQ(Denial({"get", "a1"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"set", "b1", "v"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"del", "c1"}), AclDenial::kNone);
  EXPECT_EQ(Denial({"publish", "x", "m"}), AclDenial::kNone);
  // Root refuses the command, the first selector too, the second the key: the key wins.
  Checked c = Check({"set", "d1", "v"});
  EXPECT_EQ(c.denial, AclDenial::kKey);
  EXPECT_EQ(c.errpos, 1);
  EXPECT_EQ(Denial({"publish", "y", "m"}), AclDenial::kChannel);
}

TEST_F(AclPermissions, FastPath) {
  Rules({"+@all", "allkeys", "allchannels"});
  EXPECT_TRUE(user_->unrestricted());
  Rules({"+@all", "allkeys", "allchannels", "-get"});
  EXPECT_FALSE(user_->unrestricted());
  Rules({"(+@all ~* &*)"});
  EXPECT_TRUE(user_->unrestricted());
}

}  // namespace
}  // namespace vigil::datanode
