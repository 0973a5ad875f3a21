"""A 3 data node + 3 sentinel group on loopback and a writer that follows the master the
sentinels name, shared by switchover_test.py and bench/switchover.py.

The writer sends SET of unique keys at a steady rate to whatever master the sentinels name. A
write counts as acknowledged only when the node answered +OK; on an error reply (-READONLY from
a demoted master) or a dropped connection it re-resolves the master and retries the same key.
"""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sentinel"))
import sentinel_harness as sh  # noqa: E402

NAME = "mym"


class Group:
    """Three data nodes (node_bin: vigil-datanode or redis-server) and three sentinels."""

    def __init__(self, node_bin, sentinel_bin, down_after=5000, failover_timeout=5000):
        """sentinel_bin None: data nodes only (for FAILOVER sent by hand); a list: one binary
        per sentinel (a mixed fleet)."""
        self.procs = []
        self.nodes = []
        self.sentinels = []
        try:
            self._start(node_bin, sentinel_bin, down_after, failover_timeout)
        except BaseException:
            self.cleanup()
            raise

    def _start(self, node_bin, sentinel_bin, down_after, failover_timeout):
        master = self._add(sh.data_node(node_bin))
        self.nodes.append(master)
        for _ in range(2):
            self.nodes.append(self._add(sh.data_node(node_bin, replicaof=master.port)))
        for n in self.nodes:
            n.start()
        if not sh.wait_for(lambda: all(sh.info_field(n.port, "master_link_status") == "up"
                                       for n in self.nodes[1:]), 20):
            raise RuntimeError("replicas did not link")
        if sentinel_bin is None:
            return
        bins = sentinel_bin if isinstance(sentinel_bin, list) else [sentinel_bin] * 3
        for b in bins:
            self.sentinels.append(self._add(sh.sentinel(b, [(NAME, master.port, 2)],
                                                        down_after, failover_timeout)))
        for s in self.sentinels:
            s.start()
        if not sh.wait_for(self._discovered, 30):
            raise RuntimeError("sentinels did not discover the group")

    def _add(self, p):
        self.procs.append(p)
        return p

    def _discovered(self):
        for s in self.sentinels:
            m = sh.call(s.port, "SENTINEL", "MASTER", NAME)
            d = dict(zip(m[::2], m[1::2]))
            if d["num-slaves"] != "2" or d["num-other-sentinels"] != "2":
                return False
        return True

    def master_port(self, sentinel=0):
        addr = sh.master_addr(self.sentinels[sentinel].port, NAME)
        return addr[1] if addr else None

    def agreed_master(self):
        ports = {self.master_port(i) for i in range(len(self.sentinels))}
        return ports.pop() if len(ports) == 1 else None

    def node(self, port):
        return next(n for n in self.nodes if n.port == port)

    def wait_switched_from(self, old_port, timeout):
        """Waits until every sentinel names one master other than old_port; returns its port."""
        found = []

        def switched():
            p = self.agreed_master()
            if p is not None and p != old_port:
                found.append(p)
                return True
            return False
        return found[-1] if sh.wait_for(switched, timeout, step=0.02) else None

    def stats(self):
        """Per node port: (sync_full, sync_partial_ok)."""
        out = {}
        for n in self.nodes:
            full = sh.info_field(n.port, "sync_full", "stats")
            ok = sh.info_field(n.port, "sync_partial_ok", "stats")
            out[n.port] = (int(full or 0), int(ok or 0))
        return out

    def cleanup(self):
        for p in self.procs:
            p.cleanup()


class Writer:
    """SET w:<n> at ~rate/s against the master named by the sentinels, in a thread."""

    def __init__(self, sentinel_ports, rate=200, follow_period=None):
        self.sentinel_ports = sentinel_ports
        self.period = 1.0 / rate
        # With follow_period, also re-asks the sentinels that often and moves to a newly named
        # master, as a client subscribed to +switch-master would; otherwise only on errors.
        self.follow_period = follow_period
        self.port = None
        self.last_follow = 0.0
        self.acked = []   # (key, monotonic time of the +OK)
        self.errors = []  # (monotonic time, text)
        self.stop_flag = False
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_flag = True
        self.thread.join(timeout=10)
        if self.conn is not None:
            self.conn.close()

    def _resolve(self):
        for port in self.sentinel_ports:
            try:
                addr = sh.master_addr(port, NAME)
            except (OSError, ConnectionError, sh.h.RespError):
                continue
            if addr:
                return addr[1]
        return None

    def _connect(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        port = self._resolve()
        self.last_follow = time.monotonic()
        if port is not None:
            self.conn = sh.RespConn(port, timeout=2.0)
            self.port = port

    def _follow(self):
        if self.follow_period is None or time.monotonic() - self.last_follow < self.follow_period:
            return
        self.last_follow = time.monotonic()
        port = self._resolve()
        if port is not None and port != self.port and self.conn is not None:
            self.conn.close()
            self.conn = None

    def _run(self):
        n = 0
        next_at = time.monotonic()
        while not self.stop_flag:
            key = "w:%d" % n
            try:
                self._follow()
                if self.conn is None:
                    self._connect()
                if self.conn is None:
                    time.sleep(0.01)
                    continue
                reply = sh.decode(self.conn.call("SET", key, str(n)))
                if reply == "OK":
                    self.acked.append((key, time.monotonic()))
                    n += 1
                else:
                    self.errors.append((time.monotonic(), str(reply)))
                    self.conn.close()
                    self.conn = None
                    time.sleep(0.005)
                    continue
            except (OSError, ConnectionError, socket.timeout) as e:
                self.errors.append((time.monotonic(), repr(e)))
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                time.sleep(0.005)
                continue
            next_at += self.period
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.monotonic()

    def longest_gap(self, since=0.0):
        """Longest time in ms between consecutive acknowledged writes after `since`."""
        times = [t for _, t in self.acked if t >= since]
        gaps = [b - a for a, b in zip(times, times[1:])]
        return max(gaps) * 1000 if gaps else 0.0

    def missing_on(self, port):
        """Acknowledged keys that `port` does not have, read back in pipelined batches."""
        missing = []
        conn = sh.RespConn(port, timeout=5.0)
        try:
            keys = [k for k, _ in self.acked]
            for i in range(0, len(keys), 500):
                batch = keys[i:i + 500]
                conn.send_raw(b"".join(sh.h.encode_command(("EXISTS", k)) for k in batch))
                for k in batch:
                    if sh.decode(conn.read_reply(timeout=5)) != 1:
                        missing.append(k)
        finally:
            conn.close()
        return missing
