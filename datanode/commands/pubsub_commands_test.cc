// PUBLISH reaches the replicas (so their subscribers get it) but not the AOF, as Redis's
// forceCommandPropagation(PROPAGATE_REPL).
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::RecordingPropagator;
using testing::ServiceHarness;

class AofFeed : public RecordingPropagator {
 public:
  int target() const override { return kReplAof; }
};

class ReplicaFeed : public RecordingPropagator {
 public:
  int target() const override { return kReplReplicas; }
};

struct Feeds {
  explicit Feeds(ServiceHarness& harness) : h(harness) {
    h.service().set_propagator(&aof);
    h.service().add_propagator(&replicas);
  }
  ~Feeds() { h.service().set_propagator(nullptr); }
  ServiceHarness& h;
  AofFeed aof;
  ReplicaFeed replicas;
};

TEST(PubSubCommands, PublishReachesTheReplicasButNotTheAof) {
  ServiceHarness h;
  Feeds f(h);
  EXPECT_EQ(h.Raw({"PUBLISH", "ch", "hello"}), testing::Int(0));
  ASSERT_EQ(f.replicas.lines.size(), 1u);
  EXPECT_EQ(f.replicas.lines[0], "0: PUBLISH ch hello");
  EXPECT_TRUE(f.aof.lines.empty());
}

TEST(PubSubCommands, APublishAloneInMultiIsNotWrapped) {
  ServiceHarness h;
  Feeds f(h);
  h.Raw({"MULTI"});
  h.Raw({"PUBLISH", "bla", "bla"});
  h.Raw({"EXEC"});
  EXPECT_EQ(f.replicas.lines, std::vector<std::string>{"0: PUBLISH bla bla"});
  f.replicas.lines.clear();
  h.Raw({"MULTI"});
  h.Raw({"SET", "k", "v"});
  h.Raw({"PUBLISH", "bla", "bla"});
  h.Raw({"EXEC"});
  EXPECT_EQ(f.replicas.lines,
            (std::vector<std::string>{"0: MULTI", "0: SET k v", "0: PUBLISH bla bla", "0: EXEC"}));
  EXPECT_EQ(f.aof.lines, (std::vector<std::string>{"0: MULTI", "0: SET k v", "0: EXEC"}));
}

TEST(PubSubCommands, SetReplNoneKeepsAScriptsPublishFromTheReplicas) {
  ServiceHarness h;
  Feeds f(h);
  h.Raw({"EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('publish', 'c', 'm') return 1", "0"});
  EXPECT_TRUE(f.replicas.lines.empty());
  h.Raw({"EVAL", "redis.call('publish', 'c', 'm') return 1", "0"});
  EXPECT_EQ(f.replicas.lines, std::vector<std::string>{"0: PUBLISH c m"});
}

TEST(PubSubCommands, ShardedPubSubHasItsOwnChannelsCountsAndMessageType) {
  ServiceHarness h;
  Feeds f(h);
  datanode::Session& sub = h.NewSession();
  EXPECT_EQ(h.Raw({"SUBSCRIBE", "ch"}, &sub), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  // The shard count starts at 1: SSUBSCRIBE reports shard channels only.
  EXPECT_EQ(h.Raw({"SSUBSCRIBE", "ch", "other"}, &sub),
            "*3\r\n$10\r\nssubscribe\r\n$2\r\nch\r\n:1\r\n"
            "*3\r\n$10\r\nssubscribe\r\n$5\r\nother\r\n:2\r\n");
  EXPECT_EQ(h.Raw({"SPUBLISH", "ch", "hi"}), testing::Int(1));
  EXPECT_EQ(h.TakeOutput(sub), "*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  EXPECT_EQ(f.replicas.lines.back(), "0: SPUBLISH ch hi");
  EXPECT_EQ(h.Raw({"PUBLISH", "ch", "x"}), testing::Int(1));  // the plain subscriber only
  EXPECT_EQ(h.Raw({"PUBSUB", "SHARDCHANNELS"}), testing::BulkArr({"ch", "other"}));
  EXPECT_EQ(h.Raw({"PUBSUB", "SHARDNUMSUB", "ch", "none"}),
            "*4\r\n$2\r\nch\r\n:1\r\n$4\r\nnone\r\n:0\r\n");
  EXPECT_EQ(h.Raw({"SUNSUBSCRIBE"}, &sub),
            "*3\r\n$12\r\nsunsubscribe\r\n$2\r\nch\r\n:1\r\n"
            "*3\r\n$12\r\nsunsubscribe\r\n$5\r\nother\r\n:0\r\n");
  EXPECT_EQ(h.Raw({"SUNSUBSCRIBE"}, &sub), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  h.Raw({"MULTI"});
  h.Raw({"SSUBSCRIBE", "x"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n");
}

}  // namespace
}  // namespace vigil::datanode
