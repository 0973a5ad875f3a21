#!/usr/bin/env python3
"""SHUTDOWN on a master with replicas, as Redis 7.0 (shutdown-timeout, default 10 s): writes are
paused, REPLCONF GETACK goes out and the master exits once every replica acknowledged the final
offset (or the timeout passed), so writes made just before SHUTDOWN reach the replicas. SIGTERM
does the same; SHUTDOWN NOW does not wait; SHUTDOWN ABORT cancels the wait (the blocked SHUTDOWN
client gets an error, held writes run). Replicas are held back with SIGSTOP so the master
really has to wait; both a vigil and a redis-server 7.0 replica are used."""

import os
import signal
import time

import repl_harness as rh
from repl_harness import Node, RespConn, Results, wait_for

KEYS = 3000


class Checks(Results):
    """Results with the check named first, printing each outcome."""

    def check(self, name, cond, detail=""):  # noqa: D401 - same contract as Results.check
        if cond:
            print("PASS %s" % name)
        return super().check(cond, name, detail)


def start_pair(args, replica_kind, master_extra=()):
    master = Node("vigil", args.vigil, list(master_extra))
    binary = args.vigil if replica_kind == "vigil" else args.redis_server
    replica = Node(replica_kind, binary, ["--replicaof", rh.HOST, str(master.port)])
    return master, replica


def synced(master, replica):
    return rh.link_up(replica) and rh.offsets_equal(master, replica)


def write_burst(master, prefix):
    c = RespConn(master.port, timeout=10.0)
    try:
        c.send_raw(b"".join(rh.harness.encode_command(["SET", "%s:%d" % (prefix, i), "v%d" % i])
                            for i in range(KEYS)))
        for _ in range(KEYS):
            c.read_reply()
    finally:
        c.close()


def no_reply(conn, seconds):
    try:
        conn.read_reply(timeout=seconds)
        return False
    except OSError:  # socket.timeout
        return True


def exited(node, timeout):
    try:
        node.server.proc.wait(timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
        return False


def count_keys(replica, prefix):
    keys = ["%s:%d" % (prefix, i) for i in range(KEYS)]
    got = 0
    for start in range(0, KEYS, 500):
        got += sum(1 for v in replica.call("MGET", *keys[start:start + 500]) if v is not None)
    return got


def scenario_waits_for_replica(args, res, replica_kind, use_signal):
    tag = "%s/%s" % (replica_kind, "SIGTERM" if use_signal else "SHUTDOWN")
    master, replica = start_pair(args, replica_kind)
    stopped = False
    try:
        if not res.check("%s: replica in sync" % tag, wait_for(lambda: synced(master, replica), 20)):
            return
        os.kill(replica.pid, signal.SIGSTOP)
        stopped = True
        write_burst(master, "burst")
        shutdown_conn = RespConn(master.port, timeout=30.0)
        if use_signal:
            os.kill(master.pid, signal.SIGTERM)
        else:
            shutdown_conn.send("SHUTDOWN", "NOSAVE")
        time.sleep(1.0)  # a master that did not wait for the stopped replica would be gone by now
        res.check("%s: the master waits for the lagging replica" % tag,
                  master.server.proc.poll() is None)
        writer = RespConn(master.port, timeout=30.0)
        writer.send("SET", "held", "1")
        res.check("%s: a write sent meanwhile is held by the pause" % tag, no_reply(writer, 0.5))
        res.check("%s: reads are still served" % tag, master.call("GET", "burst:0") == "v0")
        left = master.info("server").get("shutdown_in_milliseconds", "")
        res.check("%s: INFO shows shutdown_in_milliseconds while waiting" % tag,
                  left.isdigit() and 0 < int(left) <= 10000, repr(left))
        os.kill(replica.pid, signal.SIGCONT)
        stopped = False
        t0 = time.monotonic()
        res.check("%s: the master exits once the replica acknowledged" % tag, exited(master, 12))
        waited = time.monotonic() - t0
        res.check("%s: well before shutdown-timeout" % tag, waited < 8, "%.1fs" % waited)
        got = count_keys(replica, "burst")
        res.check("%s: every write made before the shutdown is on the replica" % tag,
                  got == KEYS, "%d of %d" % (got, KEYS))
        res.check("%s: the write held by the pause never ran" % tag, replica.call("GET", "held") is None)
        shutdown_conn.close()
        writer.close()
    finally:
        if stopped:
            os.kill(replica.pid, signal.SIGCONT)
        rh.stop_all([master, replica])


def scenario_timeout(args, res):
    master, replica = start_pair(args, "vigil", ["--shutdown-timeout", "2"])
    try:
        if not res.check("timeout: replica in sync", wait_for(lambda: synced(master, replica), 20)):
            return
        os.kill(replica.pid, signal.SIGSTOP)
        write_burst(master, "t")
        c = RespConn(master.port, timeout=30.0)
        t0 = time.monotonic()
        c.send("SHUTDOWN")
        ok = exited(master, 15)
        waited = time.monotonic() - t0
        res.check("timeout: a replica that never acknowledges delays exit by shutdown-timeout",
                  ok and 1.5 <= waited < 10, "exited=%s after %.1fs" % (ok, waited))
        c.close()
    finally:
        os.kill(replica.pid, signal.SIGCONT)
        rh.stop_all([master, replica])


def scenario_abort_and_now(args, res):
    master, replica = start_pair(args, "vigil")
    try:
        if not res.check("abort: replica in sync", wait_for(lambda: synced(master, replica), 20)):
            return
        os.kill(replica.pid, signal.SIGSTOP)
        master.call("SET", "x", "1")
        a = RespConn(master.port, timeout=10.0)
        a.send("SHUTDOWN")
        res.check("abort: the master waits for the stopped replica",
                  wait_for(lambda: "shutdown_in_milliseconds" in master.info("server"), 10))
        blocked = int(master.info("clients")["blocked_clients"])
        b = RespConn(master.port, timeout=10.0)
        b.send("SET", "during", "1")
        res.check("abort: the write sent during the wait is held",
                  wait_for(lambda: int(master.info("clients")["blocked_clients"]) > blocked, 10))
        r = master.call("SHUTDOWN", "ABORT")
        res.check("abort: SHUTDOWN ABORT during the wait -> OK", r == "OK", repr(r))
        ra = rh.decode(a.read_reply(timeout=5))
        res.check("abort: the blocked SHUTDOWN client gets Redis's error",
                  isinstance(ra, rh.ErrorReply) and ra == "ERR Errors trying to SHUTDOWN. Check logs.",
                  repr(ra))
        rb = rh.decode(b.read_reply(timeout=5))
        res.check("abort: the held write runs after the abort", rb == "OK", repr(rb))
        res.check("abort: the master keeps running", master.server.proc.poll() is None)
        r = master.call("SHUTDOWN", "ABORT")
        res.check("abort: ABORT with no shutdown in progress is an error",
                  isinstance(r, rh.ErrorReply) and r == "ERR No shutdown in progress.", repr(r))
        r = master.call("SHUTDOWN", "NOW", "ABORT")
        res.check("abort: ABORT with other flags is a syntax error",
                  isinstance(r, rh.ErrorReply) and r.startswith("ERR syntax error"), repr(r))
        t0 = time.monotonic()
        master.try_call("SHUTDOWN", "NOW", "NOSAVE")
        ok = exited(master, 5)
        res.check("now: SHUTDOWN NOW exits without waiting for the stopped replica",
                  ok and time.monotonic() - t0 < 3)
        a.close()
        b.close()
    finally:
        os.kill(replica.pid, signal.SIGCONT)
        rh.stop_all([master, replica])


def main():
    args = rh.parse_args(__doc__)
    rh.require_tool("redis-server")
    res = Checks()
    scenario_waits_for_replica(args, res, "vigil", use_signal=False)
    scenario_waits_for_replica(args, res, "redis", use_signal=True)
    scenario_timeout(args, res)
    scenario_abort_and_now(args, res)
    res.finish()


if __name__ == "__main__":
    main()
