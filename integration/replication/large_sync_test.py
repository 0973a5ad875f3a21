#!/usr/bin/env python3
"""A full sync streams through a bounded buffer: a dataset many times larger than the
replica output-buffer limit still syncs, disk-backed and diskless, and the master's memory
does not grow by the dataset size while it sends.

Before flow control the master queued the whole RDB in the replica's output buffer, so this
replica (hard limit 2 MB) was disconnected on every attempt and never came up.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "datanode"))
import harness  # noqa: E402

KEYS = 300_000          # about 8 MB of RDB with 16-byte values
VALUE_SIZE = 16


def info(conn, section):
    text = conn.call("INFO", section).value.decode()
    return dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)


def wait_link_up(conn, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if info(conn, "replication").get("master_link_status") == "up":
            return True
        time.sleep(0.05)
    return False


def run_case(res, vigil, diskless):
    mode = "diskless" if diskless else "disk"
    limit = ["--client-output-buffer-limit", "replica 2mb 1mb 60",
             "--repl-diskless-sync", "yes" if diskless else "no",
             "--repl-diskless-sync-delay", "0"]
    with harness.start_vigil(vigil, limit) as master:
        m = harness.RespConn(master.port, timeout=30)
        res.check(m.call("DEBUG", "POPULATE", str(KEYS), "key", str(VALUE_SIZE)).value == b"OK",
                  mode + ": populate")
        with harness.start_vigil(vigil, ["--replicaof", harness.HOST, str(master.port)]) as replica:
            r = harness.RespConn(replica.port, timeout=30)
            up = wait_link_up(r, 60)
            res.check(up, mode + ": replica link up despite a 2 MB output-buffer limit")
            dbsize = int(r.call("DBSIZE").value)
            res.check(dbsize == KEYS, mode + ": every key arrived", str(dbsize))
            stats = info(m, "stats")
            res.check(int(stats.get("sync_full", "0")) == 1, mode + ": exactly one full sync",
                      stats.get("sync_full"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    res = harness.Results()
    for diskless in (False, True):
        try:
            run_case(res, args.vigil, diskless)
        except Exception as e:  # a harness failure is a test failure, with its reason
            res.check(False, "case diskless=%s raised" % diskless, repr(e))
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
