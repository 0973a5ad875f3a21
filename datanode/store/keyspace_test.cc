#include "datanode/store/keyspace.h"

#include <gtest/gtest.h>

#include "datanode/store/entry.h"

namespace vigil::datanode {
namespace {

// A replica holding `k`, whose TTL passed at t=100 while the master's DEL has not arrived.
struct ReplicaWithStaleKey {
  Keyspace ks{16, 1};
  ReplicaWithStaleKey() {
    Entry* e = Entry::NewString("k", "5");
    ks.db(0).Add(e);
    ks.db(0).SetExpire(e, 100);
    ks.set_replica_mode(true);
  }
};

TEST(KeyspaceTest, AReplicasActiveExpiryLeavesTheMastersKeys) {
  ReplicaWithStaleKey r;
  EXPECT_EQ(r.ks.ActiveExpireCycle(200, 100), 0u);
  EXPECT_EQ(r.ks.db(0).size(), 1u);
}

// A key a client wrote with a TTL on a writable replica has no master to expire it: the
// replica does (upstream "expired key which is created in writeable replicas should be deleted
// by active expiry", "Slave is able to evict keys created in writable slaves").
TEST(KeyspaceTest, AWritableReplicaExpiresTheKeysItGaveATtl) {
  ReplicaWithStaleKey r;
  Entry* own = Entry::NewString("own", "1");
  r.ks.db(3).Add(own);
  r.ks.db(3).SetExpire(own, 150);
  r.ks.set_applying_master_stream(true);  // the master's keys are not the replica's to expire
  Entry* master = Entry::NewString("m", "1");
  r.ks.db(0).Add(master);
  r.ks.db(0).SetExpire(master, 150);
  r.ks.set_applying_master_stream(false);
  EXPECT_EQ(r.ks.ActiveExpireCycle(120, 100), 0u);  // not due yet: still tracked
  EXPECT_EQ(r.ks.replica_local_expires(), 1u);
  EXPECT_EQ(r.ks.ActiveExpireCycle(200, 100), 1u);
  EXPECT_EQ(r.ks.db(3).size(), 0u);
  EXPECT_EQ(r.ks.db(0).size(), 2u);  // `k` and `m` wait for the master's DEL
  EXPECT_EQ(r.ks.expired_keys, 1);
  EXPECT_EQ(r.ks.replica_local_expires(), 0u);
}

TEST(KeyspaceTest, AReplicaForgetsATrackedKeyThatLostItsTtl) {
  Keyspace ks{16, 1};
  ks.set_replica_mode(true);
  Entry* e = Entry::NewString("own", "1");
  ks.db(0).Add(e);
  ks.db(0).SetExpire(e, 150);
  ks.db(0).RemoveExpire(e);  // PERSIST
  EXPECT_EQ(ks.ActiveExpireCycle(200, 100), 0u);
  EXPECT_EQ(ks.db(0).size(), 1u);
  EXPECT_EQ(ks.replica_local_expires(), 0u);
  // Promoted to master: the ordinary cycle takes over.
  ks.db(0).SetExpire(e, 150);
  ks.set_replica_mode(false);
  EXPECT_EQ(ks.ActiveExpireCycle(200, 100), 1u);
}

TEST(KeyspaceTest, AReplicaReadsAnExpiredKeyAsMissingAndKeepsIt) {
  ReplicaWithStaleKey r;
  EXPECT_EQ(r.ks.Lookup(0, "k", 200), nullptr);
  EXPECT_EQ(r.ks.db(0).size(), 1u);
}

TEST(KeyspaceTest, ALocalWriteOnAReplicaDeletesTheExpiredKeyFirst) {
  ReplicaWithStaleKey r;
  EXPECT_EQ(r.ks.Lookup(0, "k", 200, true, false, /*for_write=*/true), nullptr);
  // The write then adds a fresh `k`; with the stale entry still there it would be a second one.
  EXPECT_EQ(r.ks.db(0).size(), 0u);
}

TEST(KeyspaceTest, TheMastersCommandsStillSeeTheKeyUntilItsDelArrives) {
  ReplicaWithStaleKey r;
  r.ks.set_applying_master_stream(true);
  EXPECT_NE(r.ks.Lookup(0, "k", 200, true, false, true), nullptr);
  r.ks.set_applying_master_stream(false);
  EXPECT_EQ(r.ks.db(0).size(), 1u);
}

// Each eviction's notification costs client-buffer memory (a tracking invalidation); that must
// not count against what the eviction freed, or one eviction pays for the next until the
// database is empty (upstream maxmemory "client tracking don't cause eviction feedback loop").
TEST(KeyspaceTest, EvictionCountsOnlyWhatTheDeletionsFreed) {
  struct GrowingBuffers : KeyspaceListener {
    int64_t buffer = 0;
    void OnKeyExpired(int, std::string_view) override {}
    void OnKeyEvicted(int, std::string_view) override { buffer += 300; }
  } listener;
  Keyspace ks{16, 1};
  ks.set_listener(&listener);
  ks.set_policy(EvictionPolicy::kAllKeysRandom);
  for (int i = 0; i < 100; ++i) ks.db(0).Add(Entry::NewString("k" + std::to_string(i), "v"));
  auto used = [&] { return int64_t(ks.db(0).size()) * 100 + listener.buffer; };
  const int64_t limit = used() - 250;
  EXPECT_TRUE(ks.EvictUntil([&] { return used() - limit; }, used, 0, 5));
  EXPECT_EQ(ks.evicted_keys, 3);
  EXPECT_EQ(ks.db(0).size(), 97u);
}

}  // namespace
}  // namespace vigil::datanode
