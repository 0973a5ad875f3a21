"""The faults the chaos suite injects, one class per scenario: inject() then, after the hold,
heal(). In loopback mode a partition cannot be built, so the isolated side is SIGSTOPped
instead and the round is marked reduced.
"""

import time

import redis

from cluster import MASTER_NAME


class Round:
    """What a fault needs to know about the round it runs in."""

    def __init__(self, cluster, topo, master, client_host, rng, coordinated):
        self.cluster = cluster
        self.topo = topo
        self.master = master
        self.replicas = [n for n in cluster.nodes if n is not master]
        self.sentinels = cluster.sentinels
        self.client = client_host
        self.rng = rng
        self.coordinated = coordinated  # None: not probed yet; True/False once known
        self.notes = []
        self.reduced = False
        self.stopped = []  # processes SIGSTOPped as a loopback stand-in for a partition

    def hosts(self, procs):
        return [p.host for p in procs]

    def stop_instead(self, procs, what):
        self.reduced = True
        self.notes.append("reduced: %s -> SIGSTOP %s" % (what, ",".join(p.name for p in procs)))
        for p in procs:
            p.pause()
            self.stopped.append(p)

    def resume_stopped(self):
        for p in self.stopped:
            p.resume()
        self.stopped = []


class Fault:
    name = ""
    what = ""
    hold_s = None  # None: the run's --hold

    def inject(self, r):
        raise NotImplementedError

    def heal(self, r):
        pass


class KillMaster(Fault):
    name = "kill_master"
    what = "kill -9 the master; after the hold restart it with its data (AOF)"

    def inject(self, r):
        r.master.kill9()

    def heal(self, r):
        r.master.start()


class KillMasterWiped(Fault):
    name = "kill_master_wiped"
    what = "kill -9 the master; after the hold restart it without its data"

    def inject(self, r):
        r.master.kill9()

    def heal(self, r):
        r.cluster.wipe_data(r.master)
        r.master.start()


class KillReplica(Fault):
    name = "kill_replica"
    what = "kill -9 a replica; after the hold restart it with its data"

    def inject(self, r):
        self.victim = r.rng.choice(r.replicas)
        r.notes.append("victim %s" % self.victim.name)
        self.victim.kill9()

    def heal(self, r):
        self.victim.start()


class RestartReplicaWiped(Fault):
    name = "restart_replica_wiped"
    what = "kill -9 a replica and restart it at once without its data (full resync)"
    hold_s = 3.0

    def inject(self, r):
        victim = r.rng.choice(r.replicas)
        r.notes.append("victim %s" % victim.name)
        victim.kill9()
        r.cluster.wipe_data(victim)
        victim.start()


class KillSentinel(Fault):
    name = "kill_sentinel"
    what = "kill -9 a sentinel; after the hold restart it from its rewritten config"

    def inject(self, r):
        self.victim = r.rng.choice(r.sentinels)
        r.notes.append("victim %s" % self.victim.name)
        self.victim.kill9()

    def heal(self, r):
        self.victim.start()


class PauseMaster(Fault):
    name = "pause_master"
    what = "SIGSTOP the master for the hold, then SIGCONT"

    def inject(self, r):
        r.master.pause()

    def heal(self, r):
        r.master.resume()


class PartitionFault(Fault):
    """A partition between two sides; loopback mode stops the side listed as isolated."""

    def sides(self, r):
        raise NotImplementedError

    def isolated(self, r):
        return [r.master]

    def inject(self, r):
        if r.topo.reduced:
            r.stop_instead(self.isolated(r), self.name)
            return
        a, b = self.sides(r)
        r.topo.partition(a, b)

    def heal(self, r):
        r.topo.heal()
        r.resume_stopped()


class PartitionMasterAll(PartitionFault):
    name = "partition_master_all"
    what = "cut the master off from everyone (replicas, sentinels and the client)"

    def sides(self, r):
        rest = r.replicas + r.sentinels
        return [r.master.host], r.hosts(rest) + [r.client]


class PartitionMasterSentinels(PartitionFault):
    name = "partition_master_sentinels"
    what = "cut the master off from the sentinels only (replicas and client still reach it)"

    def sides(self, r):
        return [r.master.host], r.hosts(r.sentinels)


class PartitionMasterReplicas(PartitionFault):
    name = "partition_master_replicas"
    what = "cut the master off from its replicas only (sentinels and client still reach it)"
    # Longer than TCP's first retransmissions (0.2+0.4+0.8+1.6+3.2 s): after 8 s the next retry
    # of a link left to TCP is ~4 s after the heal, which is what this round must not wait for.
    hold_s = 8.0

    def sides(self, r):
        return [r.master.host], r.hosts(r.replicas)

    def isolated(self, r):
        return r.replicas


class CutWithClient(PartitionFault):
    name = "cut_with_client"
    what = "cut the master and its writer off from the replicas and sentinels"

    def sides(self, r):
        return [r.master.host, r.client], r.hosts(r.replicas + r.sentinels)


class AsymmetricMasterOut(PartitionFault):
    name = "asym_master_out"
    what = "one-way: packets from the master to the sentinels and replicas are dropped"

    def inject(self, r):
        if r.topo.reduced:
            r.stop_instead([r.master], self.name)
            return
        r.topo.drop([r.master.host], r.hosts(r.sentinels + r.replicas))


class NonTransitive(PartitionFault):
    name = "nontransitive"
    what = ("the master loses all but one sentinel and one replica, which still see everyone "
            "(reachability is not transitive)")

    def sides(self, r):
        keep_s = r.rng.choice(r.sentinels)
        keep_r = r.rng.choice(r.replicas)
        r.notes.append("still linked: %s %s" % (keep_s.name, keep_r.name))
        cut = [p for p in r.sentinels + r.replicas if p not in (keep_s, keep_r)]
        return [r.master.host], r.hosts(cut)


class SentinelMinority(PartitionFault):
    name = "sentinel_minority"
    what = "cut a minority of the sentinels off from everyone"

    def minority(self, r):
        if not hasattr(self, "_minority"):
            self._minority = r.rng.sample(r.sentinels, (len(r.sentinels) - 1) // 2)
            r.notes.append("cut off %s" % ",".join(s.name for s in self._minority))
        return self._minority

    def isolated(self, r):
        return self.minority(r)

    def sides(self, r):
        m = self.minority(r)
        rest = [p for p in r.cluster.nodes + r.sentinels if p not in m]
        return r.hosts(m), r.hosts(rest) + [r.client]


class Switchover(Fault):
    name = "switchover"
    what = ("planned switchover: SENTINEL FAILOVER <name> COORDINATED when the sentinel accepts "
            "it, plain SENTINEL FAILOVER otherwise")
    hold_s = 4.0

    def inject(self, r):
        s = r.rng.choice(r.sentinels)
        if r.coordinated is not False:
            try:
                s.call("SENTINEL", "FAILOVER", MASTER_NAME, "COORDINATED", timeout=5)
                r.coordinated = True
                r.notes.append("COORDINATED via %s" % s.name)
                return
            except redis.ResponseError as e:
                if "INPROG" in str(e) or "NOGOODSLAVE" in str(e):
                    r.notes.append("failover refused: %s" % e)
                    return
                r.coordinated = False
        r.notes.append("plain SENTINEL FAILOVER via %s (COORDINATED unsupported)" % s.name)
        deadline = time.monotonic() + 5
        while True:
            try:
                s.call("SENTINEL", "FAILOVER", MASTER_NAME, timeout=5)
                return
            except redis.ResponseError as e:
                # Right after a previous round the sentinels may still be settling.
                if time.monotonic() > deadline:
                    r.notes.append("failover refused: %s" % e)
                    return
                time.sleep(0.3)


ALL = [KillMaster, KillMasterWiped, KillReplica, RestartReplicaWiped, KillSentinel, PauseMaster,
       PartitionMasterAll, PartitionMasterSentinels, PartitionMasterReplicas, CutWithClient,
       AsymmetricMasterOut, NonTransitive, SentinelMinority, Switchover]
BY_NAME = {f.name: f for f in ALL}
