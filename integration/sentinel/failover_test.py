#!/usr/bin/env python3
"""Proofs 1 and 2 of issue 6: three vigil-sentinel processes manage a master and two replicas
(real redis-server 7.0 and/or vigil-datanode). kill -9 the master: a replica is promoted, the
other follows, the restarted old master rejoins as a replica, and the events arrive on the
sentinels' pub/sub in order.
"""

import sys
import time

import sentinel_harness as sh

LEADER_ORDER = ["+sdown", "+odown", "+try-failover", "+elected-leader",
                "+failover-state-select-slave", "+selected-slave",
                "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
                "+promoted-slave", "+failover-state-reconf-slaves", "+switch-master"]


def subsequence(seq, wanted):
    it = iter(seq)
    return all(any(x == w for x in it) for w in wanted)


def run(res, kind, node_bin, sentinel_bin, verbose):
    procs = []
    recs = []
    try:
        master = sh.data_node(node_bin)
        procs.append(master)
        master.start()
        replicas = []
        for _ in range(2):
            r = sh.data_node(node_bin, replicaof=master.port)
            procs.append(r)
            replicas.append(r.start())
        up = sh.wait_for(lambda: all(sh.info_field(r.port, "master_link_status") == "up"
                                     for r in replicas), 20)
        if not res.check(up, "%s: replicas linked before the test" % kind):
            return
        sents = []
        for _ in range(3):
            s = sh.sentinel(sentinel_bin, [("mym", master.port, 2)])
            procs.append(s)
            sents.append(s.start())

        def discovered():
            for s in sents:
                m = sh.call(s.port, "SENTINEL", "MASTER", "mym")
                d = dict(zip(m[::2], m[1::2]))
                if d["num-slaves"] != "2" or d["num-other-sentinels"] != "2":
                    return False
            return True
        t0 = time.monotonic()
        ok = sh.wait_for(discovered, 20)
        res.check(ok, "%s: sentinels discover 2 replicas and 2 peers" % kind)
        if not ok:
            for s in sents:
                print(s.log_tail())
            return
        if verbose:
            print("%s: discovery took %.2fs" % (kind, time.monotonic() - t0))
        recs = [sh.EventRecorder(s.port) for s in sents]  # subscribed once constructed
        t_kill = time.monotonic()
        master.kill()
        rports = {r.port for r in replicas}

        def switched():
            addrs = {sh.master_addr(s.port, "mym") for s in sents}
            return len(addrs) == 1 and list(addrs)[0][1] in rports
        ok = sh.wait_for(switched, 20, 0.01)
        res.check(ok, "%s: all sentinels name a promoted replica" % kind)
        if not ok:
            for s in sents:
                print(s.log_tail())
            return
        new_port = sh.master_addr(sents[0].port, "mym")[1]
        if verbose:
            print("%s: new master %d after %.2fs" % (kind, new_port, time.monotonic() - t_kill))
        res.check(sh.info_field(new_port, "role") == "master", "%s: promoted node is a master" % kind)
        other = [r for r in replicas if r.port != new_port][0]
        ok = sh.wait_for(lambda: sh.info_field(other.port, "master_port") == str(new_port) and
                         sh.info_field(other.port, "master_link_status") == "up", 20)
        res.check(ok, "%s: the other replica follows the new master" % kind)
        ok = sh.wait_for(lambda: all(r.first("+switch-master") for r in recs), 10)
        res.check(ok, "%s: +switch-master published by every sentinel" % kind)
        leaders = [r for r in recs if r.first("+elected-leader")]
        res.check(len(leaders) == 1, "%s: exactly one leader" % kind, str([r.types() for r in recs]))
        if leaders:
            res.check(subsequence(leaders[0].types(), LEADER_ORDER),
                      "%s: leader events in Redis order" % kind, str(leaders[0].types()))
        sw = recs[0].first("+switch-master")
        if sw:
            parts = sw[2].split()
            res.check(parts[0] == "mym" and parts[2] == str(master.port) and
                      parts[4] == str(new_port), "%s: +switch-master payload" % kind, sw[2])
        # The old master comes back empty, as a master: it must be converted into a replica.
        t_restart = time.monotonic()
        master.start()
        ok = sh.wait_for(lambda: sh.info_field(master.port, "role") == "slave" and
                         sh.info_field(master.port, "master_port") == str(new_port) and
                         sh.info_field(master.port, "master_link_status") == "up", 30)
        res.check(ok, "%s: restarted old master rejoins as a replica" % kind)
        if verbose and ok:
            print("%s: old master linked %.2fs after restart" % (kind, time.monotonic() - t_restart))
        reps = sh.call(sents[0].port, "SENTINEL", "REPLICAS", "mym")
        names = {dict(zip(r[::2], r[1::2]))["name"] for r in reps}
        res.check("%s:%d" % (sh.HOST, master.port) in names, "%s: old master listed as replica" % kind,
                  str(names))
        ok = sh.wait_for(lambda: any(r.first("+convert-to-slave") for r in recs), 5)
        res.check(ok, "%s: +convert-to-slave published" % kind)
    finally:
        for r in recs:
            r.close()
        for p in procs:
            p.cleanup()


def main():
    args = sh.parse_args(__doc__)
    res = sh.Results()
    nodes = [("redis", args.redis_server)]
    if "--with-vigil-nodes" in sys.argv or True:
        nodes.append(("vigil", args.vigil))
    for kind, binary in nodes:
        run(res, kind, binary, args.vigil_sentinel, args.verbose)
    res.finish()


if __name__ == "__main__":
    main()
