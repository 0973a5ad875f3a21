#include "datanode/replication/replica_fsm.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::datanode {
namespace {

using namespace replica_action;  // NOLINT

const std::string kA(40, 'a');
const std::string kB(40, 'b');

class ReplicaFsmTest : public ::testing::Test {
 protected:
  ReplicaFsmTest() : fsm_(Options()) {}
  static ReplicaFsmOptions Options() {
    ReplicaFsmOptions o;
    o.listening_port = 17003;
    return o;
  }
  // The sent commands of the pending actions, joined by spaces.
  std::vector<std::string> Sent() {
    std::vector<std::string> out;
    for (auto& a : fsm_.TakeActions()) {
      if (auto* s = std::get_if<Send>(&a)) {
        std::string line;
        for (const auto& w : s->argv) line += (line.empty() ? "" : " ") + w;
        out.push_back(line);
      } else if (auto* ack = std::get_if<Ack>(&a)) {
        out.push_back("ACK " + std::to_string(ack->offset));
      } else if (std::holds_alternative<Connect>(a)) {
        out.push_back("connect");
      } else if (std::holds_alternative<Close>(a)) {
        out.push_back("close");
      } else if (auto* b = std::get_if<BeginSnapshotLoad>(&a)) {
        out.push_back("load " + std::to_string(b->offset));
      } else if (auto* h = std::get_if<AdoptHistory>(&a)) {
        out.push_back("adopt " + std::to_string(h->position.offset));
      } else if (auto* sh = std::get_if<ShiftHistory>(&a)) {
        out.push_back("shift " + sh->new_replid.substr(0, 1));
      } else if (std::holds_alternative<ResumeStream>(a)) {
        out.push_back("resume");
      } else if (std::holds_alternative<DropSubReplicas>(a)) {
        out.push_back("drop");
      }
    }
    return out;
  }
  void Handshake(MonoTime t) {
    fsm_.Tick(t);
    fsm_.LinkUp(t);
    fsm_.HandshakeReply(t, "+PONG");
    fsm_.HandshakeReply(t, "+OK");
    fsm_.HandshakeReply(t, "+OK");
  }
  MonoTime T(int64_t ms) { return MonoTime::FromMillis(ms); }
  ReplicaFsm fsm_;
};

TEST_F(ReplicaFsmTest, HandshakeIsTheOneARealReplicaSends) {
  fsm_.ReplicaOf(T(0), "127.0.0.1", 6379, std::nullopt);
  EXPECT_EQ(fsm_.state(), ReplicaLinkState::kConnect);
  fsm_.Tick(T(0));
  EXPECT_EQ(Sent(), std::vector<std::string>{"connect"});
  fsm_.LinkUp(T(1));
  EXPECT_EQ(Sent(), std::vector<std::string>{"PING"});
  fsm_.HandshakeReply(T(2), "+PONG");
  EXPECT_EQ(Sent(), (std::vector<std::string>{"REPLCONF listening-port 17003",
                                              "REPLCONF capa eof capa psync2"}));
  fsm_.HandshakeReply(T(3), "+OK");
  EXPECT_TRUE(Sent().empty());
  fsm_.HandshakeReply(T(3), "-ERR unknown option");  // not fatal
  EXPECT_EQ(Sent(), std::vector<std::string>{"PSYNC ? -1"});
  EXPECT_STREQ(ReplicaLinkStateName(fsm_.state()), "handshake");
}

TEST_F(ReplicaFsmTest, AuthAndAnnouncedIpArePipelinedAndAuthErrorsAreFatal) {
  ReplicaFsmOptions o = Options();
  o.masteruser = "u";
  o.masterauth = "p";
  o.announce_ip = "10.0.0.9";
  fsm_.set_options(o);
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  fsm_.Tick(T(0));
  fsm_.LinkUp(T(0));
  Sent();
  fsm_.HandshakeReply(T(0), "-NOAUTH Authentication required.");  // acceptable PING reply
  EXPECT_EQ(Sent(), (std::vector<std::string>{"AUTH u p", "REPLCONF listening-port 17003",
                                              "REPLCONF ip-address 10.0.0.9",
                                              "REPLCONF capa eof capa psync2"}));
  fsm_.HandshakeReply(T(0), "-WRONGPASS invalid username-password pair");
  EXPECT_EQ(Sent(), std::vector<std::string>{"close"});
  EXPECT_EQ(fsm_.state(), ReplicaLinkState::kConnect);
  fsm_.Tick(T(500));
  EXPECT_TRUE(Sent().empty());  // retries once a second
  fsm_.Tick(T(1000));
  EXPECT_EQ(Sent(), std::vector<std::string>{"connect"});
}

TEST_F(ReplicaFsmTest, FullSyncThenAckImmediatelyAndEverySecond) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  Sent();
  fsm_.PsyncReply(T(10), "+FULLRESYNC " + kA + " 564");
  EXPECT_EQ(Sent(), std::vector<std::string>{"load 564"});
  EXPECT_STREQ(ReplicaLinkStateName(fsm_.state()), "sync");
  fsm_.SnapshotLoaded(T(20), true);
  EXPECT_EQ(Sent(), (std::vector<std::string>{"adopt 564", "drop", "ACK 564"}));
  EXPECT_TRUE(fsm_.connected());
  fsm_.StreamApplied(T(30), 113);
  fsm_.Tick(T(500));
  EXPECT_TRUE(Sent().empty());
  fsm_.Tick(T(1020));
  EXPECT_EQ(Sent(), std::vector<std::string>{"ACK 677"});
}

TEST_F(ReplicaFsmTest, GetAckExcludesItselfBecauseItIsAppliedAfterward) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  fsm_.PsyncReply(T(0), "+FULLRESYNC " + kA + " 0");
  fsm_.SnapshotLoaded(T(0), true);
  Sent();
  fsm_.StreamApplied(T(1), 76);
  fsm_.GetAck(T(1));  // the 37-byte GETACK is counted only after it ran
  fsm_.StreamApplied(T(1), 37);
  EXPECT_EQ(Sent(), std::vector<std::string>{"ACK 76"});
  EXPECT_EQ(fsm_.reploff(), 113);
}

TEST_F(ReplicaFsmTest, ReconnectUsesTheCachedMasterAndAdoptsANewId) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  fsm_.PsyncReply(T(0), "+FULLRESYNC " + kA + " 0");
  fsm_.SnapshotLoaded(T(0), true);
  fsm_.StreamApplied(T(0), 113);
  Sent();
  fsm_.LinkDown(T(100));
  ASSERT_TRUE(fsm_.link_down_since().has_value());
  Handshake(T(100));
  EXPECT_EQ(Sent().back(), "PSYNC " + kA + " 114");
  fsm_.PsyncReply(T(101), "+CONTINUE " + kB);
  EXPECT_EQ(Sent(), (std::vector<std::string>{"shift b", "drop", "resume", "ACK 113"}));
  EXPECT_EQ(fsm_.master_replid(), kB);
  EXPECT_FALSE(fsm_.link_down_since().has_value());
}

TEST_F(ReplicaFsmTest, OwnHistoryIsOfferedWhenAMasterBecomesAReplica) {
  fsm_.ReplicaOf(T(0), "h", 1, ReplPosition{kA, 187});
  Handshake(T(0));
  EXPECT_EQ(Sent().back(), "PSYNC " + kA + " 188");
  fsm_.PsyncReply(T(0), "+CONTINUE");  // pre-PSYNC2 master: same id
  EXPECT_EQ(Sent(), (std::vector<std::string>{"resume", "ACK 187"}));
}

TEST_F(ReplicaFsmTest, SilentMasterTimesOut) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  fsm_.PsyncReply(T(0), "+FULLRESYNC " + kA + " 0");
  fsm_.SnapshotLoaded(T(0), true);
  Sent();
  fsm_.Tick(T(60'001));
  std::vector<std::string> sent = Sent();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0], "close");
  EXPECT_EQ(fsm_.state(), ReplicaLinkState::kConnect);
  ASSERT_TRUE(fsm_.cached_master().has_value());
}

TEST_F(ReplicaFsmTest, UnansweredConnectIsRedialledAfterConnectTimeoutNotReplTimeout) {
  ReplicaFsmOptions o = Options();
  o.connect_timeout = Millis(1000);
  fsm_.set_options(o);
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  fsm_.Tick(T(0));
  EXPECT_EQ(Sent(), (std::vector<std::string>{"connect"}));
  fsm_.Tick(T(1000));
  EXPECT_TRUE(Sent().empty());
  // A fresh socket (and SYN) right away: no retry_period wait, no 60 s repl-timeout.
  fsm_.Tick(T(1001));
  EXPECT_EQ(Sent(), (std::vector<std::string>{"close", "connect"}));
  EXPECT_EQ(fsm_.state(), ReplicaLinkState::kConnecting);
  fsm_.LinkUp(T(1500));
  EXPECT_EQ(Sent(), (std::vector<std::string>{"PING"}));
  // Once connected the handshake keeps Redis's repl-timeout.
  fsm_.Tick(T(4000));
  EXPECT_TRUE(Sent().empty());
}

TEST_F(ReplicaFsmTest, WithoutConnectTimeoutAConnectWaitsForReplTimeout) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  fsm_.Tick(T(0));
  Sent();
  fsm_.Tick(T(30'000));
  EXPECT_TRUE(Sent().empty());
  fsm_.Tick(T(60'001));
  EXPECT_EQ(Sent(), (std::vector<std::string>{"close"}));
}

TEST_F(ReplicaFsmTest, NoMasterLinkRetriesAndErrorsFallBackToSync) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  Sent();
  fsm_.PsyncReply(T(0), "-NOMASTERLINK Can't SYNC while not connected with my master");
  EXPECT_EQ(Sent(), std::vector<std::string>{"close"});
  Handshake(T(1000));
  Sent();
  fsm_.PsyncReply(T(1000), "-ERR unknown command 'PSYNC'");
  EXPECT_EQ(Sent(), (std::vector<std::string>{"SYNC", "load 0"}));
}

TEST_F(ReplicaFsmTest, NoOneClosesTheLink) {
  fsm_.ReplicaOf(T(0), "h", 1, std::nullopt);
  Handshake(T(0));
  Sent();
  fsm_.ReplicaOf(T(1), "", 0, std::nullopt);
  EXPECT_EQ(Sent(), std::vector<std::string>{"close"});
  EXPECT_FALSE(fsm_.is_replica());
}

TEST_F(ReplicaFsmTest, FailoverPsyncCarriesTheArgument) {
  fsm_.set_psync_failover(true);
  fsm_.ReplicaOf(T(0), "h", 1, ReplPosition{kA, 10});
  Handshake(T(0));
  EXPECT_EQ(Sent().back(), "PSYNC " + kA + " 11 FAILOVER");
}

}  // namespace
}  // namespace vigil::datanode
