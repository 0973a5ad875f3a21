// ACL commands and their enforcement, in-process through the service's dispatch.

#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Arr;
using testing::Bulk;
using testing::BulkArr;
using testing::Int;
using testing::ServiceHarness;

constexpr const char* kOk = "+OK\r\n";

TEST(AclCommands, SetGetListDelete) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"ACL", "WHOAMI"}), Bulk("default"));
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&c", "+get"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "USERS"}), BulkArr({"alice", "default"}));
  EXPECT_EQ(h.Raw({"ACL", "LIST"}),
            BulkArr({"user alice on "
                     "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* "
                     "resetchannels &c -@all +get",
                     "user default on nopass ~* &* +@all"}));
  EXPECT_EQ(h.Raw({"ACL", "GETUSER", "alice"}),
            Arr({Bulk("flags"), BulkArr({"on"}), Bulk("passwords"),
                 BulkArr({"30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"}),
                 Bulk("commands"), Bulk("-@all +get"), Bulk("keys"), Bulk("~k*"), Bulk("channels"),
                 Bulk("&c"), Bulk("selectors"), "*0\r\n"}));
  EXPECT_EQ(h.Raw({"ACL", "GETUSER", "nobody"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "a b"}),
            "-ERR Usernames can't contain spaces or null characters\r\n");
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "alice", "bogus"}),
            "-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n");
  EXPECT_EQ(h.Raw({"ACL", "DELUSER", "alice", "default"}),
            "-ERR The 'default' user cannot be removed\r\n");
  EXPECT_EQ(h.Raw({"ACL", "DELUSER", "alice", "nobody"}), Int(1));
  EXPECT_EQ(h.Raw({"ACL", "USERS"}), BulkArr({"default"}));
  EXPECT_EQ(h.Raw({"ACL"}), "-ERR wrong number of arguments for 'acl' command\r\n");
  EXPECT_EQ(h.Raw({"ACL", "NOPE"}), "-ERR unknown subcommand 'NOPE'. Try ACL HELP.\r\n");
  EXPECT_EQ(h.Raw({"ACL", "CAT", "nope"}), "-ERR Unknown category 'nope'\r\n");
  EXPECT_EQ(h.Run({"ACL", "CAT"}).elements.size(), 21u);
  EXPECT_EQ(h.Run({"ACL", "GENPASS"}).str.size(), 64u);
  EXPECT_EQ(h.Run({"ACL", "GENPASS", "5"}).str.size(), 2u);
  EXPECT_EQ(h.Raw({"ACL", "LOAD"}).substr(0, 60),
            "-ERR This Redis instance is not configured to use an ACL fil");
}

TEST(AclCommands, AuthAndNoperm) {
  ServiceHarness h;
  h.Raw({"ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "%R~ro:*", "&news.*", "+get", "+set",
         "+publish", "+subscribe", "+acl|whoami"});
  auto& s = h.NewSession();
  EXPECT_EQ(h.Raw({"AUTH", "alice", "bad"}, &s),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.Raw({"AUTH", "alice", "pw"}, &s), kOk);
  EXPECT_EQ(h.Raw({"ACL", "WHOAMI"}, &s), Bulk("alice"));
  EXPECT_EQ(h.Raw({"SET", "app:1", "v"}, &s), kOk);
  EXPECT_EQ(h.Raw({"GET", "ro:1"}, &s), "$-1\r\n");
  EXPECT_EQ(h.Raw({"SET", "ro:1", "v"}, &s),
            "-NOPERM this user has no permissions to access one of the keys used as "
            "arguments\r\n");
  EXPECT_EQ(h.Raw({"DEL", "app:1"}, &s),
            "-NOPERM this user has no permissions to run the 'del' command\r\n");
  EXPECT_EQ(h.Raw({"CONFIG", "GET", "x"}, &s),
            "-NOPERM this user has no permissions to run the 'config|get' command\r\n");
  EXPECT_EQ(h.Raw({"PUBLISH", "sports", "m"}, &s),
            "-NOPERM this user has no permissions to access one of the channels used as "
            "arguments\r\n");
  EXPECT_EQ(h.Raw({"PUBLISH", "news.x", "m"}, &s), Int(0));
  // Refusals are logged, newest first; repeats of one refusal are counted in one entry.
  h.Raw({"DEL", "app:1"}, &s);
  resp::Value log = h.Run({"ACL", "LOG"});
  ASSERT_EQ(log.elements.size(), 5u);
  const auto& newest = log.elements[0].elements;
  EXPECT_EQ(newest[0].str, "count");
  EXPECT_EQ(newest[1].integer, 2);
  EXPECT_EQ(newest[3].str, "command");
  EXPECT_EQ(newest[5].str, "toplevel");
  EXPECT_EQ(newest[7].str, "del");
  EXPECT_EQ(newest[9].str, "alice");
  EXPECT_EQ(newest[13].str.find("user=alice"), newest[13].str.find("user="));
  const auto& oldest = log.elements[4].elements;
  EXPECT_EQ(oldest[3].str, "auth");
  EXPECT_EQ(oldest[7].str, "AUTH");
  EXPECT_EQ(h.Raw({"ACL", "LOG", "RESET"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "LOG"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ACL", "DRYRUN", "alice", "set", "ro:1", "v"}),
            Bulk("This user has no permissions to access the 'ro:1' key"));
  EXPECT_EQ(h.Raw({"ACL", "DRYRUN", "alice", "get", "ro:1"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "DRYRUN", "alice", "eval", "return 1", "0"}),
            Bulk("This user has no permissions to run the 'eval' command"));
}

TEST(AclCommands, RefusedInsideMultiAndAtExec) {
  ServiceHarness h;
  h.Raw({"ACL", "SETUSER", "alice", "on", "nopass", "allkeys", "+multi", "+exec", "+get", "+set"});
  auto& s = h.NewSession();
  h.Raw({"AUTH", "alice", "x"}, &s);
  EXPECT_EQ(h.Raw({"MULTI"}, &s), kOk);
  EXPECT_EQ(h.Raw({"SET", "k", "v"}, &s), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}, &s), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "alice", "-get"}), kOk);
  EXPECT_EQ(h.Raw({"EXEC"}, &s),
            "*2\r\n+OK\r\n-NOPERM ACLs rules changed between the moment the transaction was "
            "accumulated and the EXEC call. This command is no longer allowed for the following "
            "reason: no permission to execute the command or subcommand\r\n");
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "alice", "-exec"}), kOk);
  EXPECT_EQ(h.Raw({"MULTI"}, &s), kOk);
  EXPECT_EQ(h.Raw({"GET", "k"}, &s),
            "-NOPERM this user has no permissions to run the 'get' command\r\n");
  EXPECT_EQ(h.Raw({"EXEC"}, &s),
            "-EXECABORT Transaction discarded because of: NOPERM this user has no permissions to "
            "run the 'exec' command\r\n");
  EXPECT_FALSE(s.in_multi);
}

TEST(AclCommands, DeletedOrReloadedUsersAreDisconnected) {
  ServiceHarness h;
  h.Raw({"ACL", "SETUSER", "alice", "on", "nopass", "+@all", "allkeys"});
  auto& a = h.NewSession();
  auto& b = h.NewSession();
  h.Raw({"AUTH", "alice", "x"}, &a);
  EXPECT_EQ(h.Raw({"ACL", "DELUSER", "alice"}, &a), Int(1));
  EXPECT_TRUE(a.close_after_reply);  // the deleting client still gets its reply
  EXPECT_FALSE(b.close_asap);
  EXPECT_EQ(a.user, h.service().acl().default_user());
  EXPECT_FALSE(a.authenticated);
}

TEST(AclCommands, DefaultUserOffAndClientKillUser) {
  ServiceHarness h;
  auto& other = h.NewSession();
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "testuser", "on", ">secret", "allchannels", "+@all"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "default", "off"}), kOk);
  EXPECT_EQ(h.Raw({"PING"}, &other), "+PONG\r\n");  // authenticated before: still works
  EXPECT_EQ(h.Raw({"CLIENT", "KILL", "USER", "nobody"}), "-ERR No such user 'nobody'\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "KILL", "USER", "default", "SKIPME", "no"}), Int(2));
  EXPECT_TRUE(other.close_asap);
  auto& fresh = h.NewSession();
  EXPECT_EQ(h.Raw({"PING"}, &fresh), "-NOAUTH Authentication required.\r\n");
  // `default` is still nopass (only off): the one-argument form is refused as in Redis.
  EXPECT_EQ(h.Raw({"AUTH", "secret"}, &fresh).substr(0, 40),
            "-ERR AUTH <password> called without any ");
  EXPECT_EQ(h.Raw({"AUTH", "testuser", "secret"}, &fresh), kOk);
  EXPECT_EQ(h.Raw({"CONFIG", "SET", "masteruser", "testuser"}, &fresh), kOk);
  EXPECT_NE(h.Raw({"CLIENT", "INFO"}, &fresh).find(" user=testuser "), std::string::npos);
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "default", "on"}, &fresh), kOk);
  EXPECT_EQ(h.Raw({"ACL", "DELUSER", "testuser"}, &fresh), Int(1));
  EXPECT_TRUE(fresh.close_after_reply);
}

TEST(AclCommands, PubSubClientsLosingChannelsAreDisconnected) {
  ServiceHarness h;
  h.Raw({"ACL", "SETUSER", "sub", "on", "nopass", "+@all", "&a*", "&b"});
  auto& s = h.NewSession();
  h.Raw({"AUTH", "sub", "x"}, &s);
  EXPECT_EQ(h.Raw({"SUBSCRIBE", "b"}, &s).substr(0, 4), "*3\r\n");
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "sub", "&c"}), kOk);  // a superset: nobody is dropped
  EXPECT_FALSE(s.close_asap);
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "sub", "resetchannels", "&a*"}), kOk);
  EXPECT_TRUE(s.close_asap);
}

TEST(AclCommands, RequirepassAndAuthForms) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
  EXPECT_EQ(h.Raw({"CONFIG", "SET", "requirepass", "pw"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "LIST"}),
            BulkArr({"user default on "
                     "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* "
                     "+@all"}));
  auto& s = h.NewSession();
  EXPECT_EQ(h.Raw({"HELLO", "3", "AUTH", "default", "nope"}, &s),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.Raw({"HELLO", "3", "AUTH", "default", "pw"}, &s).substr(0, 3), "%7\r");
  EXPECT_EQ(h.Raw({"RESET"}, &s), "+RESET\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}, &s), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(h.Raw({"AUTH", "pw"}, &s), kOk);
  EXPECT_EQ(h.Raw({"AUTH", "a", "b", "c"}, &s), "-ERR syntax error\r\n");
}

TEST(AclCommands, SaveAndLoadTheAclFile) {
  const std::string path = "/data/users.acl";
  ServiceHarness h;
  auto& files = static_cast<MemoryFileSystem&>(h.service().file_system()).files();
  h.config().aclfile = path;
  EXPECT_EQ(h.Raw({"ACL", "LOAD"}),
            "-ERR Error loading ACLs, opening file '/data/users.acl': No such file or "
            "directory\r\n");
  files[path] = "user alice on nopass ~* +@all\n";
  EXPECT_EQ(h.Raw({"ACL", "LOAD"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "USERS"}), BulkArr({"alice", "default"}));
  auto& a = h.NewSession();
  h.Raw({"AUTH", "alice", "x"}, &a);
  EXPECT_EQ(h.Raw({"ACL", "SETUSER", "bob", "on", ">p"}), kOk);
  EXPECT_EQ(h.Raw({"ACL", "SAVE"}), kOk);
  EXPECT_EQ(files[path],
            "user alice on nopass ~* resetchannels +@all\n"
            "user bob on #148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 "
            "resetchannels -@all\n"
            "user default on nopass ~* &* +@all\n");
  files[path] = "user carol on\nbogus line\n";
  std::string err = h.Raw({"ACL", "LOAD"});
  EXPECT_EQ(err, "-ERR " + path +
                     ":2 should start with user keyword followed by the username. WARNING: ACL "
                     "errors detected, no change to the previously active ACL rules was "
                     "performed\r\n");
  EXPECT_EQ(h.Raw({"ACL", "USERS"}), BulkArr({"alice", "bob", "default"}));
  EXPECT_FALSE(a.close_asap);
  files[path] = "user carol on\n";
  EXPECT_EQ(h.Raw({"ACL", "LOAD"}), kOk);
  EXPECT_TRUE(a.close_asap);  // alice was replaced: her clients go
  EXPECT_EQ(h.Raw({"ACL", "USERS"}), BulkArr({"carol", "default"}));
}

}  // namespace
}  // namespace vigil::datanode
