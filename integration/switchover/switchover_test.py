#!/usr/bin/env python3
"""Coordinated switchover (issue 8): three vigil-datanodes, three vigil-sentinels on loopback
and a writer at ~200 SET/s following the master the sentinels name. One
SENTINEL FAILOVER <name> COORDINATED must lose no acknowledged write, pause writes briefly,
need no full resync anywhere, leave the old master a replica of the new one and every sentinel
agreeing. Then plain SENTINEL FAILOVER must still behave as Redis's (SLAVEOF NO ONE, old master
converted afterwards). Last, in a fleet of one vigil-sentinel and two redis-sentinel 7.0, the
Redis peers reject the COORDINATED vote request, so the switchover aborts with events and the
master stays where it was.
"""

import argparse
import os
import shutil
import signal
import socket
import time

import switchover_rig as rig

sh = rig.sh
GAP_BOUND_MS = 1000  # generous for loaded CI machines; the measured figure is printed


def role_of(port):
    return sh.info_field(port, "role")


def follows(port, master_port):
    return (role_of(port) == "slave" and sh.info_field(port, "master_port") == str(master_port)
            and sh.info_field(port, "master_link_status") == "up")


def coordinated(res, g, recs, verbose):
    old = g.master_port()
    before = g.stats()
    writer = rig.Writer([s.port for s in g.sentinels]).start()
    try:
        # A second of steady writes before the command, the baseline of the gap measured below.
        flowing = sh.wait_for(lambda: writer.acked and
                              time.monotonic() - writer.acked[0][1] >= 1.0, 15)
        res.check(flowing, "the writer writes before the switchover", str(writer.errors[:3]))
        t_cmd = time.monotonic()
        reply = sh.call(g.sentinels[0].port, "SENTINEL", "FAILOVER", rig.NAME, "COORDINATED")
        res.check(reply == "OK", "SENTINEL FAILOVER COORDINATED answers OK", repr(reply))
        again = sh.call(g.sentinels[0].port, "SENTINEL", "FAILOVER", rig.NAME, "COORDINATED")
        res.check(str(again).startswith("INPROG"), "a second request while one runs is INPROG",
                  repr(again))
        new = g.wait_switched_from(old, 15)
        if not res.check(new is not None, "every sentinel names the new master"):
            for p in g.procs:
                print(p.log_tail())
            return None
        t_switched = time.monotonic()
        # The gap below includes the switchover only once the writer writes on the new master.
        resumed = sh.wait_for(lambda: writer.port == new and writer.acked and
                              writer.acked[-1][1] >= t_switched + 1.0, 15)
        res.check(resumed, "the writer writes on the new master for a second after the switch",
                  str(writer.errors[-3:]))
    finally:
        writer.stop()
    gap = writer.longest_gap(since=t_cmd - 0.5)
    print("coordinated switchover: %d writes acknowledged, longest gap %.1f ms, switched %.0f ms "
          "after the command, %d write errors (READONLY/reconnect)"
          % (len(writer.acked), gap, (t_switched - t_cmd) * 1000, len(writer.errors)))
    res.check(len(writer.acked) > 200, "the writer kept writing", str(len(writer.acked)))
    # A write held by the pause, or sent to the old master before the writer moved, is answered
    # -READONLY by what is then a replica; the old master drops no connection.
    res.check(all(e.startswith("READONLY") for _, e in writer.errors),
              "every failed write was answered -READONLY", str(writer.errors[:5]))
    missing = writer.missing_on(new)
    res.check(not missing, "no acknowledged write lost: every key is on the new master",
              "%d missing, e.g. %s" % (len(missing), missing[:5]))
    res.check(gap <= GAP_BOUND_MS, "longest gap between acknowledged writes <= %d ms" % GAP_BOUND_MS,
              "%.1f ms" % gap)
    res.check(role_of(new) == "master", "the promoted node is a master")
    res.check(sh.wait_for(lambda: follows(old, new), 5), "the old master is a replica of the new one")
    other = next(n.port for n in g.nodes if n.port not in (old, new))
    res.check(sh.wait_for(lambda: follows(other, new), 10),
              "the other replica follows the new master")
    after = g.stats()
    full_before = sum(v[0] for v in before.values())
    full_after = sum(v[0] for v in after.values())
    res.check(full_after == full_before, "no full resync on any node (sync_full unchanged)",
              "before %s after %s" % (before, after))
    res.check(after[new][1] >= before[new][1] + 2,
              "the new master served partial resyncs to the old master and the other replica",
              "sync_partial_ok %d -> %d" % (before[new][1], after[new][1]))
    res.check(sh.wait_for(lambda: g.agreed_master() == new, 5), "all sentinels agree")
    types = [t for r in recs for t in r.types()]
    for ev in ("+coordinated-switchover", "+elected-leader", "+coordinated-state-send-failover",
               "+coordinated-handoff-started", "+promoted-slave", "+switch-master"):
        res.check(ev in types, "event %s published" % ev)
    res.check("+failover-state-send-slaveof-noone" not in types,
              "no SLAVEOF NO ONE in a coordinated switchover")
    # FAILOVER changed both nodes' roles without their config files: the leader asks each to
    # rewrite its own (these nodes run without a file, so the rewrite itself is refused).
    for ev in ("+persist-master-config", "+persist-slave-config"):
        res.check(sh.wait_for(lambda: any(ev in r.types() for r in recs), 10),
                  "event %s published" % ev)
    if verbose:
        for r in recs:
            for t, ch, msg in r.events:
                print("%.3f %s %s" % (t - t_cmd, ch, msg))
    return new


def plain(res, g, recs):
    for r in recs:
        with r.lock:
            r.events.clear()
    old = g.master_port()
    reply = sh.call(g.sentinels[1].port, "SENTINEL", "FAILOVER", rig.NAME)
    res.check(reply == "OK", "plain SENTINEL FAILOVER answers OK", repr(reply))
    new = g.wait_switched_from(old, 15)
    if not res.check(new is not None, "plain: every sentinel names the new master"):
        return
    res.check(role_of(new) == "master", "plain: the promoted node is a master")
    res.check(sh.wait_for(lambda: follows(old, new), 15),
              "plain: the old master is converted to a replica afterwards")
    types = [t for r in recs for t in r.types()]
    res.check("+failover-state-send-slaveof-noone" in types,
              "plain: Redis's SLAVEOF NO ONE path is used")
    res.check("+coordinated-switchover" not in types and "+elected-leader" in types,
              "plain: forced, without a coordinated election")


def held_write(res, node_bin, kind):
    """A write that arrives while FAILOVER waits for the target is held, then answered -READONLY
    after the handoff, and applied nowhere: not on the old master after the offset the target
    acknowledged, and so not on the new master either. Run against redis-server 7.0 too, as the
    oracle for what happens to paused writes."""
    m = sh.data_node(node_bin)
    r = None
    client = None
    try:
        m.start()
        r = sh.data_node(node_bin, replicaof=m.port)
        r.start()
        if not res.check(sh.wait_for(lambda: sh.info_field(r.port, "master_link_status") == "up",
                                     20), "%s held write: replica linked" % kind):
            return
        m.call("SET", "before", "1")
        sh.wait_for(lambda: r.call("GET", "before") == "1", 5)
        os.kill(r.proc.pid, signal.SIGSTOP)  # the target cannot acknowledge yet
        try:
            ok = m.call("FAILOVER", "TO", sh.HOST, str(r.port), "TIMEOUT", "10000")
            res.check(ok == "OK", "%s held write: FAILOVER accepted" % kind, repr(ok))
            client = sh.RespConn(m.port, timeout=10.0)
            client.send("SET", "held", "1")
            try:
                early = sh.decode(client.read_reply(timeout=0.3))
            except socket.timeout:
                early = None
            res.check(early is None, "%s held write: no reply while writes are paused" % kind, repr(early))
            state = sh.info_field(m.port, "master_failover_state")
            res.check(state == "waiting-for-sync", "%s held write: master waits for the target" % kind,
                      repr(state))
        finally:
            os.kill(r.proc.pid, signal.SIGCONT)
        reply = sh.decode(client.read_reply(timeout=10))
        res.check(str(reply).startswith("READONLY"), "%s held write: answered -READONLY after the handoff" % kind,
                  repr(reply))
        res.check(sh.wait_for(lambda: sh.info_field(r.port, "role") == "master", 5),
                  "%s held write: the target is the new master" % kind)
        res.check(r.call("EXISTS", "held") == 0 and m.call("EXISTS", "held") == 0,
                  "%s held write: applied on neither node" % kind)
        res.check(r.call("GET", "before") == "1", "%s held write: earlier writes kept" % kind)
    finally:
        if client is not None:
            client.close()
        for p in (m, r):
            if p is not None:
                if p.alive():
                    os.kill(p.proc.pid, signal.SIGCONT)
                p.cleanup()


def mixed_fleet(res, node_bin, vigil_sentinel, redis_sentinel):
    g = rig.Group(node_bin, [vigil_sentinel, redis_sentinel, redis_sentinel])
    rec = None
    try:
        rec = sh.EventRecorder(g.sentinels[0].port)
        old = g.master_port()
        reply = sh.call(g.sentinels[0].port, "SENTINEL", "FAILOVER", rig.NAME, "COORDINATED")
        res.check(reply == "OK", "mixed fleet: the request is accepted", repr(reply))
        aborted = sh.wait_for(lambda: "-failover-abort-not-elected" in rec.types(), 10)
        res.check(aborted, "mixed fleet: the attempt aborts as not elected", str(rec.types()))
        refused = [e for e in rec.events if e[1] == "-coordinated-vote-refused"]
        res.check(len(refused) == 2 and "wrong number of arguments" in refused[0][2],
                  "mixed fleet: both redis-sentinel peers refuse with an arity error",
                  str(refused))
        res.check("+coordinated-handoff-started" not in rec.types(),
                  "mixed fleet: FAILOVER never reaches the data node")
        res.check(role_of(old) == "master" and g.agreed_master() == old,
                  "mixed fleet: the master is unchanged and every sentinel still names it")
    finally:
        if rec is not None:
            rec.close()
        g.cleanup()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--redis-sentinel", default=shutil.which("redis-sentinel") or "redis-sentinel")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    res = sh.Results()
    g = None
    recs = []
    try:
        g = rig.Group(a.vigil, a.vigil_sentinel)
        recs = [sh.EventRecorder(s.port) for s in g.sentinels]
        if coordinated(res, g, recs, a.verbose) is not None:
            plain(res, g, recs)
    finally:
        for r in recs:
            r.close()
        if g is not None:
            g.cleanup()
    held_write(res, a.vigil, "vigil")
    held_write(res, a.redis_server, "redis")
    mixed_fleet(res, a.vigil, a.vigil_sentinel, a.redis_sentinel)
    res.finish()


if __name__ == "__main__":
    main()
