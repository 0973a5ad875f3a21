// Keyspace notifications as a subscriber receives them: which events each family emits, in
// which order, and on which channels.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datanode/config/keyspace_event_flags.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

// Watches every keyspace channel of db 0 from a RESP2 subscriber.
class KeyspaceEvents : public ::testing::Test {
 protected:
  KeyspaceEvents() : sub_(h_.NewSession()) {
    Enable("KEAn");  // A leaves out `new`
    h_.Raw({"PSUBSCRIBE", "__key*__:*"}, &sub_);
    h_.TakeOutput(sub_);
  }

  void Enable(const std::string& classes) {
    h_.config().notify_keyspace_events = notify::ParseFlags(classes);
  }

  // The events received since the last call, as "channel message" lines.
  std::vector<std::string> Events() {
    std::vector<std::string> out;
    const std::string raw = h_.TakeOutput(sub_);
    size_t pos = 0;
    auto bulk = [&]() {
      const size_t nl = raw.find("\r\n", pos);
      const size_t len = std::stoul(raw.substr(pos + 1, nl - pos - 1));
      std::string s = raw.substr(nl + 2, len);
      pos = nl + 2 + len + 2;
      return s;
    };
    while (pos < raw.size()) {
      EXPECT_EQ(raw.compare(pos, 4, "*4\r\n"), 0) << raw;
      pos += 4;
      EXPECT_EQ(bulk(), "pmessage");
      bulk();  // the pattern
      std::string channel = bulk();
      out.push_back(channel + " " + bulk());
    }
    return out;
  }

  // Keyspace-channel events only ("key event"), for brevity.
  std::vector<std::string> KeyspaceOnly() {
    std::vector<std::string> out;
    for (const std::string& e : Events()) {
      const std::string prefix = "__keyspace@0__:";
      if (e.rfind(prefix, 0) == 0) out.push_back(e.substr(prefix.size()));
    }
    return out;
  }

  using V = std::vector<std::string>;
  ServiceHarness h_;
  Session& sub_;
};

TEST_F(KeyspaceEvents, PublishesOnBothChannelKinds) {
  h_.Raw({"SET", "foo", "bar"});
  EXPECT_EQ(Events(), (V{"__keyspace@0__:foo new", "__keyevent@0__:new foo",
                         "__keyspace@0__:foo set", "__keyevent@0__:set foo"}));
  Enable("E$");
  h_.Raw({"SET", "foo", "baz"});
  EXPECT_EQ(Events(), (V{"__keyevent@0__:set foo"}));
  Enable("Kl");
  h_.Raw({"SET", "foo", "baz"});
  EXPECT_EQ(Events(), V{});
  Enable("");
  h_.Raw({"DEL", "foo"});
  EXPECT_EQ(Events(), V{});
}

TEST_F(KeyspaceEvents, NotificationsAreCountedAsPublishes) {
  h_.Raw({"SET", "k", "v"});
  // The subscriber's pattern received them; PUBSUB NUMPAT counts it like any pattern.
  EXPECT_EQ(h_.Raw({"PUBSUB", "NUMPAT"}), testing::Int(1));
  EXPECT_EQ(Events().size(), 4u);  // new and set, on both channels
}

TEST_F(KeyspaceEvents, StringsAndExpiry) {
  Enable("KA");
  h_.Raw({"SET", "s", "1", "PX", "100"});
  h_.Raw({"INCRBY", "s", "2"});
  h_.Raw({"INCRBYFLOAT", "s", "1.5"});
  h_.Raw({"APPEND", "s", "x"});
  h_.Raw({"SETRANGE", "s", "0", "y"});
  h_.Raw({"SET", "s", "v", "GET"});
  h_.Raw({"EXPIRE", "s", "100"});
  h_.Raw({"GETEX", "s", "PERSIST"});
  h_.Raw({"GETEX", "s", "PERSIST"});  // no TTL left: nothing
  h_.Raw({"EXPIRE", "s", "-1"});      // a past deadline deletes: `del`, not `expire`
  EXPECT_EQ(KeyspaceOnly(), (V{"s set", "s expire", "s incrby", "s incrbyfloat", "s append",
                               "s setrange", "s set", "s expire", "s persist", "s del"}));
  h_.Raw({"PSETEX", "t", "100", "v"});
  h_.AdvanceMs(200);
  h_.Raw({"GET", "t"});
  EXPECT_EQ(KeyspaceOnly(), (V{"t set", "t expire", "t expired"}));
  h_.Raw({"SETEX", "t", "100", "v"});
  h_.Raw({"GETDEL", "t"});
  h_.Raw({"MSET", "a", "1", "b", "2"});
  EXPECT_EQ(KeyspaceOnly(), (V{"t set", "t expire", "t del", "a set", "b set"}));
}

TEST_F(KeyspaceEvents, NewOnlyWhenAKeyIsAdded) {
  Enable("En");
  h_.Raw({"SET", "foo", "bar"});
  h_.Raw({"SET", "foo", "baz"});
  h_.Raw({"SET", "bar", "bar"});
  h_.Raw({"RENAME", "bar", "foo"});  // the destination is added afresh
  EXPECT_EQ(Events(),
            (V{"__keyevent@0__:new foo", "__keyevent@0__:new bar", "__keyevent@0__:new foo"}));
}

TEST_F(KeyspaceEvents, GenericKeyCommands) {
  Enable("Kg");
  h_.Raw({"SET", "a", "1"});
  h_.Raw({"RENAME", "a", "b"});
  h_.Raw({"RENAME", "b", "b"});  // same key: nothing happens
  h_.Raw({"COPY", "b", "c"});
  h_.Raw({"MOVE", "c", "1"});
  h_.Raw({"PERSIST", "b"});  // no TTL: no event
  h_.Raw({"DEL", "b", "missing"});
  EXPECT_EQ(KeyspaceOnly(),
            (V{"a rename_from", "b rename_to", "c copy_to", "c move_from", "b del"}));
}

TEST_F(KeyspaceEvents, ListsDeleteTheEmptiedKey) {
  Enable("Klg");
  h_.Raw({"RPUSH", "l", "a", "b", "c"});
  h_.Raw({"LPOP", "l"});
  h_.Raw({"LMOVE", "l", "m", "LEFT", "RIGHT"});
  h_.Raw({"LTRIM", "m", "0", "-1"});
  h_.Raw({"LREM", "m", "0", "zz"});  // nothing removed: no event
  h_.Raw({"LMPOP", "2", "l", "m", "RIGHT", "COUNT", "5"});
  EXPECT_EQ(KeyspaceOnly(),
            (V{"l rpush", "l lpop", "m rpush", "l lpop", "m ltrim", "l rpop", "l del"}));
}

TEST_F(KeyspaceEvents, BlockedPopServedLater) {
  Enable("Klg");
  Session& blocked = h_.NewSession();
  h_.Raw({"BLPOP", "q", "0"}, &blocked);
  h_.Raw({"LPUSH", "q", "x"});
  EXPECT_EQ(KeyspaceOnly(), (V{"q lpush", "q lpop", "q del"}));
}

TEST_F(KeyspaceEvents, HashesSetsAndSortedSets) {
  Enable("Khszg");
  h_.Raw({"HSET", "h", "f", "1"});
  h_.Raw({"HINCRBY", "h", "f", "1"});
  h_.Raw({"HDEL", "h", "f"});
  h_.Raw({"SADD", "s", "a", "b"});
  h_.Raw({"SMOVE", "s", "t", "a"});
  h_.Raw({"SREM", "s", "b"});
  h_.Raw({"SINTERSTORE", "u", "t", "missing"});
  h_.Raw({"SUNIONSTORE", "u", "t"});
  h_.Raw({"ZADD", "z", "1", "a", "2", "b"});
  h_.Raw({"ZINCRBY", "z", "1", "a"});
  h_.Raw({"ZPOPMIN", "z", "5"});
  EXPECT_EQ(KeyspaceOnly(),
            (V{"h hset", "h hincrby", "h hdel", "h del", "s sadd", "s srem", "t sadd", "s srem",
               "s del", "u sunionstore", "z zadd", "z zincr", "z zpopmin", "z del"}));
}

TEST_F(KeyspaceEvents, Streams) {
  Enable("Kt");
  h_.Raw({"XGROUP", "CREATE", "st", "g", "$", "MKSTREAM"});
  h_.Raw({"XADD", "st", "1-1", "f", "v"});
  h_.Raw({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "st", ">"});
  h_.Raw({"XGROUP", "DELCONSUMER", "st", "g", "nobody"});
  h_.Raw({"XGROUP", "DELCONSUMER", "st", "g", "alice"});
  h_.Raw({"XADD", "st", "MAXLEN", "0", "*", "f", "v"});
  h_.Raw({"XSETID", "st", "9999999999999-0"});
  EXPECT_EQ(KeyspaceOnly(), (V{"st xgroup-create", "st xadd", "st xgroup-createconsumer",
                               "st xgroup-delconsumer", "st xadd", "st xtrim", "st xsetid"}));
}

TEST_F(KeyspaceEvents, ActiveExpiryAndKeyMiss) {
  Enable("Exm");
  h_.Raw({"SET", "k", "v", "PX", "10"});
  h_.AdvanceMs(50);
  h_.service().Cron();
  EXPECT_EQ(Events(), (V{"__keyevent@0__:expired k"}));
  h_.Raw({"GET", "nothing"});
  EXPECT_EQ(Events(), (V{"__keyevent@0__:keymiss nothing"}));
}

}  // namespace
}  // namespace vigil::datanode
