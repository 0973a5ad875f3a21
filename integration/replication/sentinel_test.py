#!/usr/bin/env python3
"""Real redis-sentinel 7.0 against vigil-datanode (proof 6 of issue 4).

Three redis-sentinel processes (quorum 2) monitor a vigil master with two vigil replicas.
kill -9 the master: the sentinels promote a replica (+switch-master), the other replica follows
the new master, and the restarted old master is converted into a replica of it. The data
written before the crash (and acknowledged by WAIT) is on every node at the end.
"""

import os
import signal

import repl_harness as rh
from sentinel_process import SentinelProcess


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    sentinel_bin = rh.require_tool("redis-sentinel")
    res = rh.Results()
    nodes, sentinels = [], []
    try:
        m = rh.Node("vigil", args.vigil)
        nodes.append(m)
        r1 = rh.Node("vigil", args.vigil, ["--replicaof", rh.HOST, str(m.port)])
        r2 = rh.Node("vigil", args.vigil, ["--replicaof", rh.HOST, str(m.port)])
        nodes += [r1, r2]
        res.check(rh.wait_for(lambda: rh.link_up(r1) and rh.link_up(r2), 10), "replicas up")
        rh.fill(m, "s", 200)
        m.call("SET", "acked", "1")
        res.check(m.call("WAIT", 2, 2000) == 2, "WAIT 2 before the crash")
        for _ in range(3):
            sentinels.append(SentinelProcess(sentinel_bin, m.port, quorum=2, down_after_ms=1500,
                                             extra_lines=["sentinel parallel-syncs mym 2"]))
        # Sentinels discover the replicas and each other.
        ok = rh.wait_for(lambda: all(len(s.call("SENTINEL", "replicas", "mym")) == 2 and
                                     len(s.call("SENTINEL", "sentinels", "mym")) == 2
                                     for s in sentinels), 30, 0.2)
        res.check(ok, "sentinels discovered 2 replicas and 2 peers", sentinels[0].log_tail())
        old_port = m.port
        os.kill(m.pid, signal.SIGKILL)
        m.server.proc.wait(5)
        ok = rh.wait_for(lambda: all(s.master_addr() and s.master_addr()[1] != old_port
                                     for s in sentinels), 40, 0.2)
        res.check(ok, "sentinels switched the master", sentinels[0].log_tail(25))
        new_port = sentinels[0].master_addr()[1]
        new = r1 if r1.port == new_port else r2
        other = r2 if new is r1 else r1
        res.check(new.info()["role"] == "master", "promoted node reports role:master")
        res.check(rh.wait_for(lambda: other.info().get("master_port") == str(new_port) and
                              rh.link_up(other), 30, 0.2),
                  "the other replica follows the new master", other.log_tail(10))
        new.call("SET", "after", "1")
        res.check(rh.wait_for(lambda: other.call("GET", "after") == "1", 10),
                  "the other replica receives the new master's writes")
        # The old master comes back and is turned into a replica of the new one.
        rh.restart(m, args.vigil)
        ok = rh.wait_for(lambda: m.info().get("role") == "slave" and
                         m.info().get("master_port") == str(new_port) and rh.link_up(m), 40, 0.2)
        res.check(ok, "restarted old master rejoins as a replica", m.log_tail(10))
        res.check(rh.wait_for(lambda: m.call("GET", "after") == "1", 10),
                  "old master has the new master's writes")
        for n in (new, other, m):
            res.check(n.call("GET", "acked") == "1" and n.call("DBSIZE") >= 201,
                      "node %d kept the acknowledged data" % n.port)
    finally:
        for s in sentinels:
            s.stop()
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
