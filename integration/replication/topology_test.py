#!/usr/bin/env python3
"""Vigil-only topologies (proofs 3 and 4 of issue 4, plus restart and chaining).

3. Three nodes A <- B, A <- C: REPLICAOF NO ONE on B, then C REPLICAOF B: B answers +CONTINUE
   (sync_partial_ok, no sync_full), ids shift (master_replid2 = old id, second_repl_offset).
   A chained replica D of C receives the stream C applies.
4. WAIT counts acknowledging replicas; min-replicas-to-write refuses writes with -NOREPLICAS
   once the replicas are gone; replica-serve-stale-data no answers -MASTERDOWN.
   A replica restarted from its RDB resumes with PSYNC (partial, no full sync).
"""

import os
import signal

import repl_harness as rh


def converge(res, master, replica, what):
    ok = rh.wait_for(lambda: rh.link_up(replica) and rh.offsets_equal(master, replica), 10)
    res.check(ok, what + ": converged", replica.log_tail(8))
    res.check(rh.contents(master) == rh.contents(replica), what + ": contents equal")


def promotion(res, vigil, nodes):
    a = rh.Node("vigil", vigil)
    nodes.append(a)
    rh.fill(a, "k", 200)
    b = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(a.port)])
    c = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(a.port)])
    nodes += [b, c]
    a.call("SET", "before", "1")
    converge(res, a, b, "A->B")
    converge(res, a, c, "A->C")
    old_id = a.info()["master_replid"]
    a.kill()
    res.check(b.call("REPLICAOF", "NO", "ONE") == "OK", "REPLICAOF NO ONE answers OK")
    bi = b.info()
    res.check(bi["role"] == "master", "B is a master")
    res.check(bi["master_replid2"] == old_id, "B's replid2 is the old id", str(bi))
    res.check(int(bi["second_repl_offset"]) == int(bi["master_repl_offset"]) + 1,
              "second_repl_offset = offset + 1", str(bi))
    res.check(bi["master_replid"] != old_id, "B has a new replid")
    b.call("SET", "after", "2")
    before = b.info("stats")
    res.check(c.call("REPLICAOF", rh.HOST, b.port) == "OK", "C REPLICAOF B")
    converge(res, b, c, "B->C")
    after = b.info("stats")
    res.check(int(after["sync_partial_ok"]) == int(before["sync_partial_ok"]) + 1,
              "+CONTINUE: sync_partial_ok incremented", str(after.get("sync_partial_ok")))
    res.check(after["sync_full"] == before["sync_full"], "no full sync on B")
    ci = c.info()
    res.check(ci["master_replid"] == bi["master_replid"] and ci["master_replid2"] == old_id,
              "C adopted B's ids", str(ci))
    res.check(c.call("REPLICAOF", rh.HOST, b.port) == "OK Already connected to specified master",
              "REPLICAOF same master answers 'Already connected'")
    # A chained replica of C sees B's writes.
    d = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(c.port)])
    nodes.append(d)
    b.call("SET", "chained", "yes")
    converge(res, c, d, "C->D")
    res.check(d.call("GET", "chained") == "yes", "chained replica got the write")
    res.check(d.info()["master_repl_offset"] == b.info()["master_repl_offset"],
              "the chain shares offsets")
    return b, c, d


def wait_and_min_replicas(res, vigil, b, c, d):
    b.call("SET", "w", "1")
    res.check(b.call("WAIT", 1, 2000) == 1, "WAIT 1 with one replica returns 1")
    res.check(b.call("WAIT", 2, 300) == 1, "WAIT 2 times out with 1")
    err = c.call("WAIT", 1, 100)
    res.check(isinstance(err, rh.ErrorReply) and "replica instances" in err, "WAIT on a replica errors")
    res.check(b.call("CONFIG", "SET", "min-replicas-to-write", "1") == "OK", "set min-replicas")
    res.check(b.call("SET", "mr", "1") == "OK", "write accepted with a good replica")
    res.check(b.info().get("min_slaves_good_slaves") == "1", "min_slaves_good_slaves shown")
    d.kill()
    c.kill()
    res.check(rh.wait_for(lambda: b.info()["connected_slaves"] == "0", 5), "replica gone")
    err = b.call("SET", "mr", "2")
    res.check(isinstance(err, rh.ErrorReply) and err == "NOREPLICAS Not enough good replicas to write.",
              "NOREPLICAS when replicas are gone", repr(err))
    b.call("CONFIG", "SET", "min-replicas-to-write", "0")
    # A replica with serve-stale-data no and its master down answers MASTERDOWN.
    e = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(rh.free_port())])
    try:
        e.call("CONFIG", "SET", "replica-serve-stale-data", "no")
        err = e.call("GET", "x")
        res.check(isinstance(err, rh.ErrorReply) and err.startswith("MASTERDOWN"), "MASTERDOWN", repr(err))
        res.check(e.info()["master_link_down_since_seconds"] == "-1", "down since -1 (never up)")
    finally:
        e.kill()


def restart_resumes_with_psync(res, vigil, nodes):
    m = rh.Node("vigil", vigil)
    nodes.append(m)
    rh.fill(m, "r", 100)
    # CONFIG SET dbfilename is a protected config, as in Redis 7.0.
    r = rh.Node("vigil", vigil,
                ["--replicaof", rh.HOST, str(m.port), "--enable-protected-configs", "yes"])
    nodes.append(r)
    converge(res, m, r, "restart setup")
    res.check(r.call("CONFIG", "SET", "dbfilename", "dump.rdb") == "OK", "dbfilename")
    res.check(r.call("SAVE") == "OK", "replica SAVE")
    m.call("SET", "while-down", "1")
    # Restart the replica on the same port and dir.
    port, d = r.port, r.dir
    os.kill(r.pid, signal.SIGKILL)
    r.server.proc.wait(5)
    r.server.proc = None
    r.server.tmpdir = None
    before = m.info("stats")
    r2 = rh.harness.Server("vigil", vigil, ["--save", "", "--replicaof", rh.HOST, str(m.port)])
    r2.port, r2.tmpdir = port, d
    import subprocess
    r2.log_path = os.path.join(d, "server2.log")
    r2.proc = subprocess.Popen([vigil, "--port", str(port), "--bind", rh.HOST, "--dir", d,
                                "--logfile", r2.log_path, "--save", "", "--replicaof", rh.HOST,
                                str(m.port)], cwd=d)
    nodes_started = r2.wait_ready()
    res.check(nodes_started, "restarted replica answers PING", r2.log_tail())
    rn = rh.Node.__new__(rh.Node)
    rn.kind, rn.server, rn.port, rn.dir, rn._conn = "vigil", r2, port, d, None
    nodes.append(rn)
    converge(res, m, rn, "restarted replica")
    after = m.info("stats")
    res.check(int(after["sync_partial_ok"]) == int(before["sync_partial_ok"]) + 1 and
              after["sync_full"] == before["sync_full"],
              "restarted replica resumed with PSYNC", str(after))


def aof_ends_at_mark(node):
    """True when the node's newest incr AOF file ends with a #VIGIL-REPL line."""
    d = os.path.join(node.dir, "appendonlydir")
    incr = [f for f in os.listdir(d) if f.endswith(".incr.aof")] if os.path.isdir(d) else []
    if not incr:
        return False
    last = max(incr, key=lambda f: int(f.split(".")[-3]))
    with open(os.path.join(d, last), "rb") as f:
        lines = f.read().rstrip(b"\r\n").split(b"\n")
    return lines[-1].startswith(b"#VIGIL-REPL ")


def aof_restart_resumes_with_psync(res, vigil, nodes):
    """A replica with appendonly yes killed with SIGKILL and restarted from its AOF continues with
    a partial resync: its AOF ends at a replication mark (#VIGIL-REPL), as an RDB carries
    repl-id/repl-offset. Redis 7.0 resyncs fully here."""
    m = rh.Node("vigil", vigil)
    nodes.append(m)
    rh.fill(m, "aof", 200)
    extra = ["--replicaof", rh.HOST, str(m.port), "--appendonly", "yes"]
    r = rh.Node("vigil", vigil, extra)
    nodes.append(r)
    converge(res, m, r, "AOF replica setup")
    rh.fill(m, "aof-more", 100)
    res.check(rh.wait_for(lambda: rh.offsets_equal(m, r), 10), "AOF replica caught up")
    # The mark is written with the next AOF write; give the replica's loop one turn to write it.
    def aof_settled():
        p = r.info("persistence")
        return (p.get("aof_rewrite_in_progress") == "0" and
                p.get("aof_rewrite_scheduled") == "0" and p.get("aof_buffer_length") == "0")
    res.check(rh.wait_for(aof_settled, 10), "the replica's AOF rewrite done and buffer written")
    res.check(rh.wait_for(lambda: aof_ends_at_mark(r), 5),
              "the replica's AOF ends at a replication mark")
    before = m.info("stats")
    rh.restart(r, vigil, extra)  # SIGKILL, then the same port, dir and options
    m.call("SET", "while-restarting", "1")
    converge(res, m, r, "AOF replica restarted")
    after = m.info("stats")
    res.check(int(after["sync_partial_ok"]) == int(before["sync_partial_ok"]) + 1 and
              after["sync_full"] == before["sync_full"],
              "replica restarted from its AOF resumed with PSYNC", str(after) + r.log_tail(12))


def aof_old_master_rejoins_with_psync(res, vigil, nodes):
    """A master with appendonly yes is killed with SIGKILL, its replica is promoted, and the old
    master, restarted from its AOF and told to follow the new master, continues partially: its
    AOF ends at the position the promoted replica had reached (no write was lost in between),
    and the data-free tail it wrote after the restart is dropped at the demotion."""
    m = rh.Node("vigil", vigil, ["--appendonly", "yes"])
    nodes.append(m)
    r = rh.Node("vigil", vigil, ["--replicaof", rh.HOST, str(m.port)])
    nodes.append(r)
    converge(res, m, r, "AOF master setup")
    rh.fill(m, "om", 200)
    res.check(rh.wait_for(lambda: rh.offsets_equal(m, r), 10), "replica caught up with the master")
    # Writes made before the replica attached carry no mark; the next cron adds one.
    res.check(rh.wait_for(lambda: aof_ends_at_mark(m), 5), "the master's AOF ends at a mark")
    # The order of a sentinel failover: the master dies, the replica is promoted, and only then
    # does the old master come back (so the replica never continues with it in between).
    os.kill(m.pid, signal.SIGKILL)
    m.server.proc.wait(5)
    res.check(r.call("REPLICAOF", "NO", "ONE") == "OK", "replica promoted")
    r.call("SET", "after-promotion", "1")
    rh.restart(m, vigil, ["--appendonly", "yes"])  # same dir and port, restarts as a master
    before = r.info("stats")
    res.check(m.call("REPLICAOF", rh.HOST, str(r.port)) == "OK", "old master demoted")
    converge(res, r, m, "old master rejoined")
    after = r.info("stats")
    res.check(int(after["sync_partial_ok"]) == int(before["sync_partial_ok"]) + 1 and
              after["sync_full"] == before["sync_full"],
              "old master restarted from its AOF rejoined with PSYNC", str(after) + m.log_tail(12))


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    res = rh.Results()
    nodes = []
    try:
        b, c, d = promotion(res, args.vigil, nodes)
        wait_and_min_replicas(res, args.vigil, b, c, d)
        restart_resumes_with_psync(res, args.vigil, nodes)
        aof_restart_resumes_with_psync(res, args.vigil, nodes)
        aof_old_master_rejoins_with_psync(res, args.vigil, nodes)
    finally:
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
