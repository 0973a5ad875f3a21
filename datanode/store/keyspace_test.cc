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

}  // namespace
}  // namespace vigil::datanode
