"""Helpers for the fencing integration scripts: a 3 data node / 3 vigil-sentinel cluster on
127.0.0.1 with sentinel-fence-timeout set on every data node, and a writer thread that records
every acknowledged write with the time its reply arrived.
"""

import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sentinel"))
import sentinel_harness as sh  # noqa: E402

FENCE_TIMEOUT_MS = 1000
DOWN_AFTER_MS = 3000  # >= 2 x the fence timeout (datanode/DESIGN.md "Fencing")
FAILOVER_TIMEOUT_MS = 6000
NAME = "mym"


class Cluster:
    """A master, two replicas and three vigil-sentinels (quorum 2)."""

    def __init__(self, args, sentinels=3, replicas=2, node_args=()):
        self.args = args
        self.fence_ms = args.fence_ms
        self.procs = []
        self.n_sentinels = sentinels
        self.n_replicas = replicas
        self.extra = ["--sentinel-fence-timeout", str(self.fence_ms)] + list(node_args)
        self.master = None
        self.replicas = []
        self.sentinels = []
        self.writers = []

    def start(self):
        """Starts every process; cleanup() stops whatever started, even after a failure."""
        self.master = sh.data_node(self.args.vigil, extra=self.extra)
        self.procs.append(self.master)
        self.master.start()
        for _ in range(self.n_replicas):
            r = sh.data_node(self.args.vigil, replicaof=self.master.port, extra=self.extra)
            self.procs.append(r)
            self.replicas.append(r.start())
        for _ in range(self.n_sentinels):
            s = sh.sentinel(self.args.vigil_sentinel, [(NAME, self.master.port, 2)],
                            down_after=DOWN_AFTER_MS, failover_timeout=FAILOVER_TIMEOUT_MS)
            self.procs.append(s)
            self.sentinels.append(s.start())
        return self

    def nodes(self):
        return [self.master] + self.replicas

    def ready(self, timeout=30):
        """Replicas linked, and the master knows every sentinel through its hellos."""
        def linked():
            return all(sh.info_field(r.port, "master_link_status") == "up" for r in self.replicas)

        def known():
            return sh.info_field(self.master.port, "fence_sentinels_known") == str(
                len(self.sentinels))
        if not sh.wait_for(linked, timeout):
            return False
        if self.fence_ms == 0:  # fence off: no INFO field; every sentinel's hello went through
            return sh.wait_hellos_relayed(self.master.port, [s.port for s in self.sentinels],
                                          timeout)
        return sh.wait_for(known, timeout)

    def current_master_port(self):
        for s in self.sentinels:
            try:
                addr = sh.master_addr(s.port, NAME)
            except (OSError, ConnectionError):
                continue
            if addr:
                return addr[1]
        return None

    def writer(self, port, **kw):
        """A started Writer against `port`; cleanup() finishes it."""
        w = Writer(port, **kw).start()
        self.writers.append(w)
        return w

    def cleanup(self):
        for w in self.writers:
            w.finish()
        for p in self.procs:
            if p.proc is not None and p.proc.poll() is None:
                try:
                    os.kill(p.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
            p.cleanup()


def stop(proc):
    os.kill(proc.proc.pid, signal.SIGSTOP)


def cont(proc):
    os.kill(proc.proc.pid, signal.SIGCONT)


class Writer:
    """SET fence:<n> <n> against one address, as fast as `rate` allows, one request at a time.

    Every +OK is recorded with the monotonic time its reply arrived; errors are recorded with
    their text. A request that times out drops the connection (the ioredis/SIGSTOP lesson) and
    the next one reconnects.
    """

    def __init__(self, port, rate=200, timeout=0.5, prefix="fence"):
        self.port = port
        self.period = 1.0 / rate
        self.timeout = timeout
        self.prefix = prefix
        self.acked = []   # (time, key)
        self.errors = []  # (time, text)
        self.timeouts = 0
        self.stop_flag = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        conn = None
        n = 0
        next_at = time.monotonic()
        while not self.stop_flag:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += self.period
            n += 1
            key = "%s:%d" % (self.prefix, n)
            try:
                if conn is None:
                    conn = sh.RespConn(self.port, timeout=self.timeout)
                reply = conn.call("SET", key, str(n))
            except (socket.timeout, OSError, ConnectionError, sh.h.RespError) as e:
                with self.lock:
                    if isinstance(e, socket.timeout):
                        self.timeouts += 1
                    else:
                        self.errors.append((time.monotonic(), "io: %s" % e))
                if conn is not None:
                    conn.close()
                    conn = None
                next_at = time.monotonic() + 0.05
                continue
            t = time.monotonic()
            v = sh.decode(reply)
            with self.lock:
                if isinstance(v, sh.RespErr):
                    self.errors.append((t, str(v)))
                elif v == "OK":
                    self.acked.append((t, key))
                else:
                    self.errors.append((t, "unexpected %r" % (v,)))
        if conn is not None:
            conn.close()

    def finish(self):
        self.stop_flag = True
        self.thread.join(timeout=10)

    def wait_flowing(self, seconds, timeout=15.0):
        """Whether writes have been acknowledged for `seconds` since the first one, within
        `timeout` of now."""
        def flowing():
            with self.lock:
                return bool(self.acked) and time.monotonic() - self.acked[0][0] >= seconds
        return sh.wait_for(flowing, timeout)

    def snapshot(self):
        with self.lock:
            return list(self.acked), list(self.errors)


def missing_keys(port, keys, batch=500):
    """Keys of `keys` absent on the node at `port`."""
    missing = []
    conn = sh.RespConn(port, timeout=10)
    try:
        for i in range(0, len(keys), batch):
            chunk = keys[i:i + batch]
            values = sh.decode(conn.call("MGET", *chunk))
            missing += [k for k, v in zip(chunk, values) if v is None]
    finally:
        conn.close()
    return missing


def log_text(proc):
    path = os.path.join(proc.dir, "server.log")
    if not os.path.exists(path):
        return ""
    with open(path, errors="replace") as f:
        return f.read()


def run(description, scenario, ready_what, fence_ms=None, **cluster_kw):
    """What every fencing proof shares: parse the arguments, start a Cluster and check it is
    ready (`ready_what` names that check), run scenario(args, res, cluster), then stop every
    writer and process the cluster started, whatever happened. Returns the exit status."""
    args = parse_args(description)
    if fence_ms is not None:
        args.fence_ms = fence_ms
    res = sh.Results()
    cluster = Cluster(args, **cluster_kw)
    try:
        cluster.start()
        if res.check(cluster.ready(), ready_what):
            scenario(args, res, cluster)
    finally:
        cluster.cleanup()
    return res.finish()


def parse_args(description):
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--fence-ms", type=int, default=FENCE_TIMEOUT_MS,
                   help="sentinel-fence-timeout of the data nodes (0: off, for bench/fencing.sh)")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    a.vigil = os.path.abspath(a.vigil)
    a.vigil_sentinel = os.path.abspath(a.vigil_sentinel)
    return a
