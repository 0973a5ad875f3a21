#!/usr/bin/env python3
"""Python stand-in for build/bin/vigil-writer, with the same command line and output contract.

It finds the master with redis-py's Sentinel client (SENTINEL get-master-addr-by-name through
`Sentinel.discover_master`) and writes `SET <prefix><seq> <seq>` at a fixed rate on one plain
connection per thread, so it always knows which address acknowledged a write. On any error it
drops the connection and asks the sentinels again, which is what redis-py's SentinelConnection
does on reconnect; like redis-py it does not subscribe to +switch-master, so a master that is
still reachable keeps receiving writes until it refuses them or the connection breaks.

Ack log line: `<unix_ms> <key> <plain|wait> <host:port>`, flushed per line.
Final stdout line: {"attempted","acked","acked_wait","errors","longest_pause_ms",
"writes_to_replica","lost","lost_wait"}; writes_to_replica counts writes refused with READONLY
(the writer had reached a replica); lost* are computed only with --verify.
"""

import argparse
import json
import os
import sys
import threading
import time

for _d in ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"):
    if os.path.isdir(os.path.join(_d, "redis")) and _d not in sys.path:
        sys.path.append(_d)
import redis  # noqa: E402
from redis.sentinel import Sentinel  # noqa: E402

SOCKET_TIMEOUT = 0.5


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="chaos-suite writer (redis-py stand-in for vigil-writer)")
    p.add_argument("--sentinels", required=True, help="host:port,host:port,...")
    p.add_argument("--master", required=True)
    p.add_argument("--duration-ms", type=int, default=10000)
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--prefix", default="w1:")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--wait-every", type=int, default=0)
    p.add_argument("--wait-replicas", type=int, default=1)
    p.add_argument("--wait-timeout-ms", type=int, default=500)
    p.add_argument("--ack-log", default=None)
    p.add_argument("--verify", action="store_true")
    p.add_argument("--password", default=None)
    p.add_argument("--sentinel-password", default=None)
    p.add_argument("--stop-file", default=None)
    return p.parse_args(argv)


def split_addr(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = 0
        self.acked = 0
        self.acked_wait = 0
        self.errors = 0
        self.writes_to_replica = 0
        self.last_ack = None
        self.longest_pause = 0.0
        self.acked_keys = []  # (key, kind) for --verify

    def ack(self, key, kind, now, keep):
        with self.lock:
            self.acked += 1
            if kind == "wait":
                self.acked_wait += 1
            if self.last_ack is not None:
                self.longest_pause = max(self.longest_pause, now - self.last_ack)
            self.last_ack = now
            if keep:
                self.acked_keys.append((key, kind))


class Writer:
    def __init__(self, args):
        self.args = args
        kw = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
        if args.sentinel_password:
            kw["password"] = args.sentinel_password
        self.sentinel = Sentinel([split_addr(a) for a in args.sentinels.split(",") if a],
                                 sentinel_kwargs=kw, **kw)
        self.stats = Stats()
        self.seq_lock = threading.Lock()
        self.seq = 0
        self.log_lock = threading.Lock()
        self.log = open(args.ack_log, "a", buffering=1) if args.ack_log else None
        self.start = time.monotonic()
        self.deadline = self.start + args.duration_ms / 1000.0

    def next_seq(self):
        with self.seq_lock:
            self.seq += 1
            return self.seq

    def stopping(self):
        if time.monotonic() >= self.deadline:
            return True
        return bool(self.args.stop_file) and os.path.exists(self.args.stop_file)

    def connect(self):
        """The master's address and a connection to it, or (None, None) after a bounded try."""
        try:
            host, port = self.sentinel.discover_master(self.args.master)
        except (redis.RedisError, OSError) as e:
            print("py_writer: discover_master: %s: %s" % (type(e).__name__, e), file=sys.stderr,
                  flush=True)
            return None, None
        # A WAIT legitimately blocks for its whole timeout: the socket must outwait it.
        timeout = SOCKET_TIMEOUT
        if self.args.wait_every > 0:
            timeout += self.args.wait_timeout_ms / 1000.0
        try:
            conn = redis.Redis(host=host, port=port, password=self.args.password,
                               socket_timeout=timeout,
                               socket_connect_timeout=SOCKET_TIMEOUT,
                               single_connection_client=True)
        except (redis.RedisError, OSError) as e:
            print("py_writer: connect: %s: %s" % (type(e).__name__, e), file=sys.stderr,
                  flush=True)
            return None, None
        return "%s:%d" % (host, port), conn

    def record(self, key, kind, addr):
        now = time.time()
        if self.log is not None:
            with self.log_lock:
                self.log.write("%d %s %s %s\n" % (int(now * 1000), key, kind, addr))
        self.stats.ack(key, kind, time.monotonic(), self.args.verify)

    def run_thread(self, rate):
        a = self.args
        interval = 1.0 / rate if rate > 0 else 0.0
        next_at = time.monotonic()
        addr, conn = None, None
        count = 0
        while not self.stopping():
            now = time.monotonic()
            if next_at > now:
                time.sleep(min(next_at - now, 0.05))
                continue
            # After an outage start afresh instead of bursting to catch up.
            next_at = max(next_at + interval, now - 1.0)
            if conn is None:
                addr, conn = self.connect()
                if conn is None:
                    with self.stats.lock:
                        self.stats.errors += 1
                    time.sleep(0.05)
                    continue
            seq = self.next_seq()
            key = "%s%d" % (a.prefix, seq)
            with self.stats.lock:
                self.stats.attempted += 1
            count += 1
            try:
                conn.execute_command("SET", key, seq)
                kind = "plain"
                if a.wait_every > 0 and count % a.wait_every == 0:
                    got = conn.execute_command("WAIT", a.wait_replicas, a.wait_timeout_ms)
                    if int(got) >= a.wait_replicas:
                        kind = "wait"
                self.record(key, kind, addr)
            except (redis.RedisError, OSError) as e:
                print("py_writer: %s at %s: %s: %s" % (key, addr, type(e).__name__, e),
                      file=sys.stderr, flush=True)
                with self.stats.lock:
                    self.stats.errors += 1
                    if isinstance(e, redis.ReadOnlyError) or "READONLY" in str(e):
                        self.stats.writes_to_replica += 1
                try:
                    conn.close()
                except (redis.RedisError, OSError):
                    pass
                addr, conn = None, None
        if conn is not None:
            conn.close()

    def verify(self):
        """Read every acknowledged key back from the current master."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            addr, conn = self.connect()
            if conn is None:
                time.sleep(0.2)
                continue
            try:
                lost = lost_wait = 0
                keys = self.stats.acked_keys
                for i in range(0, len(keys), 500):
                    chunk = keys[i:i + 500]
                    vals = conn.execute_command("MGET", *[k for k, _ in chunk])
                    for (k, kind), v in zip(chunk, vals):
                        if v is None:
                            lost += 1
                            lost_wait += kind == "wait"
                return lost, lost_wait
            except (redis.RedisError, OSError):
                time.sleep(0.2)
            finally:
                conn.close()
        return -1, -1

    def run(self):
        threads = max(1, self.args.threads)
        ts = [threading.Thread(target=self.run_thread, args=(self.args.rate / threads,))
              for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        s = self.stats
        lost, lost_wait = self.verify() if self.args.verify else (0, 0)
        if self.log is not None:
            self.log.close()
        out = {"attempted": s.attempted, "acked": s.acked, "acked_wait": s.acked_wait,
               "errors": s.errors, "longest_pause_ms": int(s.longest_pause * 1000),
               "writes_to_replica": s.writes_to_replica, "lost": lost, "lost_wait": lost_wait}
        print(json.dumps(out, separators=(",", ":")), flush=True)
        return 0


def main():
    return Writer(parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
