#!/usr/bin/env python3
"""Replica-side full sync the Redis 7.0 way (repl-diskless-load):

  - disabled (the default): a 1M-key payload from a real redis-server master is written to
    `temp-<time>.<pid>.rdb` in the replica's dir (seen while it arrives), then loaded; clients
    polling the replica meanwhile always get an answer quickly (-LOADING, or the data), never a
    hang; the temp file is gone afterwards (renamed to dump.rdb, as Redis does) and every key is
    there; the master did not drop the replica while it loaded.
  - swapdb: the payload is loaded from memory into a scratch dataset that replaces the old one
    once it has loaded (no temp file).
  - on-empty-db: an empty replica loads from memory (no temp file), one with keys uses disk.
  - invalid values are refused by CONFIG SET like Redis."""

import glob
import os
import socket
import threading
import time

import repl_harness as rh
from repl_harness import Node, RespConn, Results, wait_for

BIG = 1_000_000


class Checks(Results):
    def check(self, name, cond, detail=""):
        if cond:
            print("PASS %s" % name)
        return super().check(cond, name, detail)


class Poller(threading.Thread):
    """GETs a key over and over on a fresh connection each time, recording every outcome and
    the slowest answer."""

    def __init__(self, port, key):
        super().__init__(daemon=True)
        self.port, self.key = port, key
        self.stop = threading.Event()
        self.loading = self.values = self.nils = self.other = self.hangs = 0
        self.slowest = 0.0

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                c = RespConn(self.port, timeout=5.0)
                try:
                    r = rh.decode(c.call("GET", self.key))
                finally:
                    c.close()
            except socket.timeout:
                self.hangs += 1
                continue
            except (OSError, ConnectionError):
                self.other += 1
                time.sleep(0.01)
                continue
            self.slowest = max(self.slowest, time.monotonic() - t0)
            if isinstance(r, rh.ErrorReply) and r.startswith("LOADING"):
                self.loading += 1
            elif r is None:
                self.nils += 1
            elif isinstance(r, str) and not isinstance(r, rh.ErrorReply):
                self.values += 1
            else:
                self.other += 1
            time.sleep(0.002)


def temp_files(node):
    return glob.glob(os.path.join(node.dir, "temp-*.rdb"))


def test_disk_load_1m(args, res):
    master = Node("redis", args.redis_server)
    replica = None
    try:
        master.call("DEBUG", "POPULATE", BIG, "key", 16)
        # key-load-delay -20 (1 µs every 20 keys, Redis's knob) stretches the load a little so
        # the polling clients are sure to meet it.
        replica = Node("vigil", args.vigil, ["--repl-diskless-load", "disabled",
                                             "--key-load-delay", "-20",
                                             "--loading-process-events-interval-bytes", "1048576"])
        poller = Poller(replica.port, "key:4242")
        poller.start()
        replica.call("REPLICAOF", rh.HOST, master.port)
        seen_temp = []
        linked = False
        deadline = time.monotonic() + 50
        while time.monotonic() < deadline:
            seen_temp.extend(x for x in temp_files(replica) if x not in seen_temp)
            try:
                linked = rh.link_up(replica) and replica.call("DBSIZE") == BIG
            except (OSError, ConnectionError):
                linked = False
            if linked:
                break
            time.sleep(0.01)
        if linked:  # the checks below want the poller to have read the loaded data too
            wait_for(lambda: poller.values > 0, 10)
        poller.stop.set()
        poller.join(timeout=10)
        res.check("disk: the 1M-key full sync completes", linked, replica.log_tail())
        res.check("disk: the payload went to temp-<time>.<pid>.rdb in dir",
                  any(os.path.basename(p).count(".") == 2 and
                      os.path.basename(p).endswith(".%d.rdb" % replica.pid) for p in seen_temp),
                  str(seen_temp))
        res.check("disk: the temp file is removed afterwards", temp_files(replica) == [],
                  str(temp_files(replica)))
        res.check("disk: the received file became dump.rdb",
                  os.path.exists(os.path.join(replica.dir, "dump.rdb")))
        print("disk: polls: loading=%d values=%d nils=%d other=%d hangs=%d slowest=%.2fs"
              % (poller.loading, poller.values, poller.nils, poller.other, poller.hangs,
                 poller.slowest))
        res.check("disk: clients got -LOADING while the RDB loaded", poller.loading > 0)
        res.check("disk: clients got the data after it", poller.values > 0)
        res.check("disk: no client ever hung (every answer within 5 s)",
                  poller.hangs == 0 and poller.other == 0 and poller.slowest < 5.0)
        # DEBUG POPULATE pads "value:<n>" with NUL bytes up to the size asked for.
        res.check("disk: a loaded value is right",
                  replica.call("GET", "key:999999") == "value:999999" + "\0" * 4)
        minfo = master.info()
        res.check("disk: the master kept the replica (one full sync, still connected)",
                  minfo.get("connected_slaves") == "1"
                  and master.info("stats").get("sync_full") == "1", str(minfo))
        master.call("SET", "after-sync", "1")
        res.check("disk: the stream continues after the load",
                  wait_for(lambda: replica.call("GET", "after-sync") == "1", 10))
    finally:
        rh.stop_all([n for n in (master, replica) if n is not None])


def test_swapdb_and_on_empty_db(args, res):
    master = Node("vigil", args.vigil, ["--repl-diskless-sync", "no"])
    replica = Node("vigil", args.vigil, ["--repl-diskless-load", "swapdb"])
    try:
        rh.fill(master, "m", 2000)
        replica.call("SET", "old-only", "1")
        replica.call("REPLICAOF", rh.HOST, master.port)
        ok = wait_for(lambda: rh.link_up(replica) and replica.call("DBSIZE") == 2000, 30)
        res.check("swapdb: the full sync completes and replaces the old dataset",
                  ok and replica.call("GET", "old-only") is None)
        res.check("swapdb: no temp file was written", temp_files(replica) == [])
        res.check("swapdb: CONFIG GET reports swapdb",
                  replica.call("CONFIG", "GET", "repl-diskless-load") == ["repl-diskless-load", "swapdb"])
        r = replica.call("CONFIG", "SET", "repl-diskless-load", "sometimes")
        res.check("config: an unknown repl-diskless-load value is refused",
                  isinstance(r, rh.ErrorReply) and "repl-diskless-load" in r, repr(r))
        replica.call("REPLICAOF", "NO", "ONE")

        # on-empty-db: with keys present the payload goes to disk.
        replica.call("CONFIG", "SET", "repl-diskless-load", "on-empty-db")
        replica.call("CONFIG", "SET", "key-load-delay", "-5")
        master.call("SET", "second", "1")
        master.call("CONFIG", "SET", "repl-backlog-size", "16384")
        rh.fill(master, "n", 2000)  # pushes the replica's offset out of the backlog
        seen = []
        replica.call("REPLICAOF", rh.HOST, master.port)
        wait_for(lambda: seen.extend(temp_files(replica)) or (
            rh.link_up(replica) and replica.call("GET", "second") == "1"), 30)
        res.check("on-empty-db: a replica with keys resyncs through a temp file",
                  any(os.path.basename(p).startswith("temp-") for p in seen) or
                  "to disk" in replica.log_tail(200), str(seen))
        res.check("on-empty-db: ...and has the master's data", replica.call("DBSIZE") == 4001)
    finally:
        rh.stop_all([master, replica])

    master = Node("vigil", args.vigil, ["--repl-diskless-sync", "no"])
    replica = Node("vigil", args.vigil, ["--repl-diskless-load", "on-empty-db"])
    try:
        rh.fill(master, "e", 500)
        replica.call("REPLICAOF", rh.HOST, master.port)
        ok = wait_for(lambda: rh.link_up(replica) and replica.call("DBSIZE") == 500, 30)
        res.check("on-empty-db: an empty replica loads from memory",
                  ok and "to memory (diskless load)" in replica.log_tail(200), replica.log_tail())
    finally:
        rh.stop_all([master, replica])


def test_keepalive_while_loading(args, res):
    # The master's repl-timeout (2 s) is far shorter than the replica's load (key-load-delay):
    # only the newline the loading replica sends every second keeps the master from dropping it.
    master = Node("vigil", args.vigil, ["--repl-diskless-sync", "no", "--repl-timeout", "2"])
    replica = None
    try:
        master.call("DEBUG", "POPULATE", 40000, "k", 8)
        replica = Node("vigil", args.vigil, ["--key-load-delay", "60"])
        replica.call("REPLICAOF", rh.HOST, master.port)
        loading_seen = wait_for(lambda: replica.info("persistence").get("loading") == "1", 20)
        t0 = time.monotonic()
        ok = wait_for(lambda: replica.info("persistence").get("loading") == "0", 40)
        took = time.monotonic() - t0
        ok = ok and wait_for(lambda: rh.link_up(replica) and replica.call("DBSIZE") == 40000, 20)
        print("keepalive: the load took %.1fs" % took)
        res.check("keepalive: the replica loads for longer than the master's repl-timeout",
                  loading_seen and ok and took > 2.5, "loading_seen=%s ok=%s took=%.1f\n%s" % (
                      loading_seen, ok, took, replica.log_tail(20)))
        time.sleep(0.5)  # a late timeout of the replica would show in the master's stats and log
        res.check("keepalive: the master never timed the loading replica out (one full sync)",
                  master.info("stats").get("sync_full") == "1"
                  and "timedout" not in master.log_tail(200), master.log_tail(10))
    finally:
        rh.stop_all([n for n in (master, replica) if n is not None])


def main():
    args = rh.parse_args(__doc__)
    rh.require_tool("redis-server")
    res = Checks()
    test_disk_load_1m(args, res)
    test_swapdb_and_on_empty_db(args, res)
    test_keepalive_while_loading(args, res)
    res.finish()


if __name__ == "__main__":
    main()
