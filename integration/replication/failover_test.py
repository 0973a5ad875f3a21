#!/usr/bin/env python3
"""FAILOVER (proof 5 of issue 4): a coordinated handoff under a continuous write load.

A (master) with replicas B and C, a writer issuing SETs to A one at a time. FAILOVER TO B
pauses writes, waits until B has A's whole stream, and hands over with PSYNC FAILOVER: B becomes
the master, A its replica. Every write A acknowledged must be on B afterwards. Also: argument
errors, FAILOVER without replicas, ABORT, and FAILOVER with no target picking a caught-up replica.
"""

import threading

import repl_harness as rh


class Writer(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.acked = {}
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        c = rh.RespConn(self.port, timeout=10.0)
        i = 0
        while not self.stop.is_set():
            key, val = "fo:%d" % i, "v%d" % i
            try:
                r = rh.decode(c.call("SET", key, val))
            except (OSError, ConnectionError) as e:
                self.errors.append(repr(e))
                break
            if r == "OK":
                self.acked[key] = val
            else:
                self.errors.append(str(r))
                if str(r).startswith("READONLY"):
                    break
            i += 1
        c.close()


def handoff(res, vigil, nodes, target_given):
    a = rh.Node("vigil", vigil)
    nodes.append(a)
    rh.fill(a, "pre", 100)
    b = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(a.port)])
    c = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(a.port)])
    nodes += [b, c]
    label = "FAILOVER TO" if target_given else "FAILOVER (any)"
    res.check(rh.wait_for(lambda: rh.link_up(b) and rh.link_up(c), 10), label + ": replicas up")
    w = Writer(a.port)
    w.start()
    res.check(rh.wait_for(lambda: len(w.acked) >= 100, 10),
              label + ": the writer writes before the FAILOVER", repr(w.errors[:3]))
    args = ["FAILOVER", "TIMEOUT", 5000]
    if target_given:
        args = ["FAILOVER", "TO", rh.HOST, b.port, "TIMEOUT", 5000]
    reply = a.call(*args)
    res.check(reply == "OK", label + ": answers OK", repr(reply))
    promoted = lambda n: n.info().get("role") == "master"  # noqa: E731
    res.check(rh.wait_for(lambda: promoted(b) or promoted(c), 10), label + ": a replica promoted")
    new = b if promoted(b) else c
    if target_given:
        res.check(new is b, label + ": the target was promoted")
    res.check(rh.wait_for(lambda: a.info().get("role") == "slave" and
                          a.info().get("master_port") == str(new.port) and rh.link_up(a), 10),
              label + ": old master follows the new one", a.log_tail(10))
    res.check(rh.wait_for(lambda: a.info().get("master_failover_state") == "no-failover", 5),
              label + ": failover state back to no-failover")
    w.stop.set()
    w.join(10)
    res.check(len(w.acked) > 10, label + ": writes were acknowledged (%d)" % len(w.acked))
    res.check(all(e.startswith("READONLY") for e in w.errors),
              label + ": writes after the handoff got READONLY only", repr(w.errors[:3]))
    got = {}
    conn = rh.RespConn(new.port, timeout=10.0)
    keys = list(w.acked)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        vals = rh.decode(conn.call("MGET", *chunk))
        got.update(zip(chunk, vals))
    conn.close()
    lost = [k for k in keys if got.get(k) != w.acked[k]]
    res.check(not lost, label + ": zero acknowledged writes lost", "lost %d, e.g. %s" % (len(lost), lost[:3]))
    new.call("SET", "after-failover", "1")
    res.check(rh.wait_for(lambda: a.call("GET", "after-failover") == "1", 5),
              label + ": new master's writes reach the old master")
    return a, b, c


def errors(res, vigil, nodes):
    m = rh.Node("vigil", vigil)
    nodes.append(m)
    e = m.call("FAILOVER")
    res.check(e == "ERR FAILOVER requires connected replicas.", "FAILOVER without replicas", repr(e))
    e = m.call("FAILOVER", "ABORT")
    res.check(e == "ERR No failover in progress.", "ABORT without failover", repr(e))
    e = m.call("FAILOVER", "TO", rh.HOST, 1, "FORCE")
    res.check(isinstance(e, rh.ErrorReply) and "FORCE" in e.upper(), "FORCE needs a timeout", repr(e))
    e = m.call("FAILOVER", "BOGUS")
    res.check(e == "ERR syntax error", "syntax error", repr(e))
    r = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(m.port)])
    nodes.append(r)
    rh.wait_for(lambda: rh.link_up(r), 10)
    e = m.call("FAILOVER", "TO", rh.HOST, 1)
    res.check(e == "ERR FAILOVER target HOST and PORT is not a replica.", "unknown target", repr(e))
    e = r.call("FAILOVER")
    res.check(e == "ERR FAILOVER is not valid when server is a replica.", "FAILOVER on a replica", repr(e))
    rh.stop_all([r, m])


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    res = rh.Results()
    nodes = []
    try:
        errors(res, args.vigil, nodes)
        rh.stop_all(handoff(res, args.vigil, nodes, True))
        handoff(res, args.vigil, nodes, False)
    finally:
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
