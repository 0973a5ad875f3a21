#!/usr/bin/env python3
"""Proof 3 of issue 6: two real redis-sentinel 7.0 and one vigil-sentinel monitor the same
redis-server master (+2 replicas). They discover each other through hellos, agree, vote together
and complete failovers: first one that vigil-sentinel leads (redis-sentinels vote for it), then one
that a redis-sentinel leads (vigil-sentinel votes for it, its down-after being made longer).
"""

import time

import sentinel_harness as sh


def fields(port):
    m = sh.call(port, "SENTINEL", "MASTER", "mym")
    return dict(zip(m[::2], m[1::2]))


def failover(res, label, sents, recs, nodes, old_master, expect_leader, vigil_id, settle=None):
    t0 = time.monotonic()
    old_master.kill()
    ports = {n.port for n in nodes if n is not old_master}

    def agreed():
        addrs = {sh.master_addr(s.port, "mym") for s in sents}
        return len(addrs) == 1 and list(addrs)[0][1] in ports
    ok = sh.wait_for(agreed, 30, 0.02)
    res.check(ok, "%s: all three sentinels agree on a promoted replica" % label)
    if not ok:
        for s in sents:
            print(s.log_tail(15))
        return None
    new_port = sh.master_addr(sents[0].port, "mym")[1]
    print("%s: new master after %.2fs" % (label, time.monotonic() - t0))
    ok = sh.wait_for(lambda: all(r.first("+switch-master", str(new_port)) for r in recs), 15)
    res.check(ok, "%s: +switch-master on every sentinel" % label)
    leaders = [i for i, r in enumerate(recs) if r.first("+elected-leader")]
    res.check(len(leaders) == 1, "%s: one leader" % label, str(leaders))
    if leaders:
        who = "vigil" if leaders[0] == 2 else "redis"
        res.check(who == expect_leader, "%s: %s-sentinel led the failover" % (label, expect_leader),
                  "leader was %s" % who)
        leader_id = sh.call(sents[leaders[0]].port, "SENTINEL", "MYID")
        # Votes: every sentinel that voted, voted for the leader, in the same epoch.
        for i, r in enumerate(recs):
            v = r.first("+vote-for-leader")
            if v and i != leaders[0]:
                res.check(v[2].split()[0] == leader_id, "%s: sentinel %d voted for the leader" %
                          (label, i), v[2])
        if expect_leader == "redis":
            v = recs[2].first("+vote-for-leader")
            res.check(v is not None and v[2].split()[0] == leader_id,
                      "%s: vigil-sentinel voted for the redis leader" % label, str(v))
        else:
            votes = [recs[i].first("+vote-for-leader") for i in (0, 1)]
            res.check(any(v and v[2].split()[0] == vigil_id for v in votes),
                      "%s: a redis-sentinel voted for vigil-sentinel" % label, str(votes))
    if settle:
        settle()
    # The old master comes back and is converted by whoever sees it.
    old_master.start()
    t1 = time.monotonic()
    ok = sh.wait_for(lambda: sh.info_field(old_master.port, "master_port") == str(new_port), 45)
    fixers = [i for i, r in enumerate(recs)
              if r.first("+convert-to-slave") or r.first("+fix-slave-config")]
    print("%s: old master following the new one after %.2fs (fixed by sentinel %s)" %
          (label, time.monotonic() - t1, fixers))
    if not res.check(ok, "%s: old master converted to a replica of the new one" % label):
        print("old master %d reports master_port=%s" %
              (old_master.port, sh.info_field(old_master.port, "master_port")))
        for s in sents:
            print(s.log_tail(30))
    return [n for n in nodes if n.port == new_port][0]


def main():
    args = sh.parse_args(__doc__)
    res = sh.Results()
    procs, recs = [], []
    try:
        master = sh.data_node(args.redis_server)
        procs.append(master.start())
        nodes = [master]
        for _ in range(2):
            r = sh.data_node(args.redis_server, replicaof=master.port)
            procs.append(r.start())
            nodes.append(r)
        sh.wait_for(lambda: all(sh.info_field(n.port, "master_link_status") == "up"
                                for n in nodes[1:]), 20)
        sents = []
        for binary in (args.redis_sentinel, args.redis_sentinel, args.vigil_sentinel):
            s = sh.sentinel(binary, [("mym", master.port, 2)], down_after=1000,
                            failover_timeout=6000)
            procs.append(s.start())
            sents.append(s)

        def discovered():
            return all(fields(s.port)["num-other-sentinels"] == "2" and
                       fields(s.port)["num-slaves"] == "2" for s in sents)
        ok = sh.wait_for(discovered, 20)
        res.check(ok, "mixed fleet: every sentinel sees 2 peers and 2 replicas")
        if not ok:
            return
        vigil_id = sh.call(sents[2].port, "SENTINEL", "MYID")
        for s in sents[:2]:
            peers = sh.call(s.port, "SENTINEL", "SENTINELS", "mym")
            ids = {dict(zip(p[::2], p[1::2]))["runid"] for p in peers}
            res.check(vigil_id in ids, "redis-sentinel knows vigil-sentinel by its myid")
        recs = [sh.EventRecorder(s.port) for s in sents]
        # 1: vigil-sentinel alone reaches ODOWN (quorum 1 there) while the redis-sentinels detect
        # late, so it asks for votes first and they vote for it.
        sents[2].call("SENTINEL", "SET", "mym", "quorum", "1")
        for s in sents[:2]:
            s.call("SENTINEL", "SET", "mym", "down-after-milliseconds", "3000")
        new_master = failover(res, "failover 1", sents, recs, nodes, master, "vigil", vigil_id,
                              lambda: sents[2].call("SENTINEL", "SET", "mym", "quorum", "2"))
        if new_master is None:
            return
        ok = sh.wait_for(lambda: all(fields(s.port)["flags"] == "master" for s in sents), 20)
        res.check(ok, "after failover 1 every sentinel sees a healthy master")
        for r in recs:
            r.close()
        # 2: vigil-sentinel detects late; a redis-sentinel leads and vigil votes for it. The first
        # failover's leader is blocked for 2 x failover-timeout; wait that out.
        sents[2].call("SENTINEL", "SET", "mym", "down-after-milliseconds", "4000")
        sents[2].call("SENTINEL", "SET", "mym", "quorum", "2")
        sents[1].call("SENTINEL", "SET", "mym", "down-after-milliseconds", "4000")
        sents[0].call("SENTINEL", "SET", "mym", "down-after-milliseconds", "1000")
        sents[0].call("SENTINEL", "SET", "mym", "quorum", "1")
        time.sleep(12.5)
        recs = [sh.EventRecorder(s.port) for s in sents]

        def settle():
            # The leader watched with a 1 s down-after and quorum 1 so that it alone would fail
            # over. Left that way, one late PONG from the fresh master on a loaded host (CI runs
            # suites in parallel) starts a third failover that promotes the returning old master,
            # and the conversion this test checks never happens. Once the switch is done the
            # leader goes back to ordinary settings.
            sents[0].call("SENTINEL", "SET", "mym", "down-after-milliseconds", "4000")
            sents[0].call("SENTINEL", "SET", "mym", "quorum", "2")
        failover(res, "failover 2", sents, recs, nodes, new_master, "redis", vigil_id, settle)
        for s in sents:
            if not res.check(s.alive(), "sentinel on %d still running" % s.port):
                print(s.log_tail(40))
        epochs = {fields(s.port)["config-epoch"] for s in sents if s.alive()}
        res.check(len(epochs) == 1, "all sentinels share the config epoch", str(epochs))
    finally:
        for r in recs:
            r.close()
        for p in procs:
            p.cleanup()
    res.finish()


if __name__ == "__main__":
    main()
