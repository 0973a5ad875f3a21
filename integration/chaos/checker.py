"""What must hold after every heal, and the clocks of a round.

converged(): exactly one data node reports role:master, every other node replicates from it
with master_link_status:up, every sentinel names it in get-master-addr-by-name and sees none of
its replicas down or disconnected;
wait_converged() then also proves that a write reaches every replica (stream_flows).
missing(): which acknowledged keys the master no longer has.
MasterWatch: polls every sentinel's get-master-addr-by-name in a thread to time the promotion.
"""

import threading
import time

import redis

from cluster import MASTER_NAME


def converged(cluster):
    """(True, master, "") when the group has converged, else (False, None, why)."""
    masters, replicas = [], []
    for n in cluster.nodes:
        if not n.alive() or n.paused:
            return False, None, "%s not running" % n.name
        try:
            info = cluster.info(n)
        except (redis.RedisError, OSError) as e:
            return False, None, "%s: %s" % (n.name, e)
        (masters if info.get("role") == "master" else replicas).append((n, info))
    if len(masters) != 1:
        return False, None, "%d masters (%s)" % (len(masters), ",".join(m.name for m, _ in masters))
    master = masters[0][0]
    for n, info in replicas:
        linked = "%s:%s" % (info.get("master_host"), info.get("master_port"))
        if linked != master.addr or info.get("master_link_status") != "up":
            return False, None, "%s follows %s link %s" % (n.name, linked,
                                                           info.get("master_link_status"))
    for s in cluster.sentinels:
        if not s.alive() or s.paused:
            return False, None, "%s not running" % s.name
        try:
            view = cluster.sentinel_view(s)
        except (redis.RedisError, OSError) as e:
            return False, None, "%s: %s" % (s.name, e)
        if view != master.addr:
            return False, None, "%s names %s, master is %s" % (s.name, view, master.addr)
        down = sentinel_sees_down(s)
        if down:
            return False, None, "%s still sees %s down" % (s.name, down)
    return True, master, ""


def sentinel_sees_down(s):
    """A replica that sentinel s still flags s_down or disconnected, else None: such a replica
    would be skipped by the next failover, so the group has not really healed."""
    try:
        reps = s.call("SENTINEL", "REPLICAS", MASTER_NAME, timeout=0.5) or []
    except (redis.RedisError, OSError):
        return None  # the view check above already covers an unreachable sentinel
    for r in reps:
        d = dict(zip(r[::2], r[1::2])) if isinstance(r, list) else r
        flags = str(d.get("flags", ""))
        if "s_down" in flags or "disconnected" in flags:
            return "%s:%s (%s)" % (d.get("ip"), d.get("port"), flags)
    return None


def stream_flows(cluster, master, timeout=3.0):
    """(True, "") when a key written to master shows up on every replica within timeout: a
    link reported "up" is not enough, the replication stream must actually arrive."""
    token = "%d" % time.time_ns()
    master.call("SET", "chaos:probe", token)
    replicas = [n for n in cluster.nodes if n is not master]
    deadline = time.monotonic() + timeout
    while True:
        behind = []
        for n in replicas:
            try:
                if n.call("GET", "chaos:probe") != token:
                    behind.append(n.name)
            except (redis.RedisError, OSError):
                behind.append(n.name)
        if not behind:
            return True, ""
        if time.monotonic() >= deadline:
            return False, "replication stream does not reach %s" % ",".join(behind)
        time.sleep(0.02)


def wait_converged(cluster, timeout, trace=None):
    """(ok, seconds until converged or timeout, master, last reason). With a list as trace, each
    change of the reason is appended as (seconds since the start, reason): a slow convergence
    then says what it waited for."""
    start = time.monotonic()
    why = ""
    last = None
    while True:
        ok, master, why = converged(cluster)
        if ok:
            try:
                ok, why = stream_flows(cluster, master)
            except (redis.RedisError, OSError) as e:
                ok, why = False, "probe write: %s" % e
        if trace is not None and why != last:
            trace.append((time.monotonic() - start, why or "converged"))
            last = why
        if ok:
            return True, time.monotonic() - start, master, ""
        if time.monotonic() - start >= timeout:
            return False, time.monotonic() - start, None, why
        time.sleep(0.05)


def full_sync_counts(cluster):
    """{node name: (run_id, sync_full)} of the nodes that answer now."""
    out = {}
    for node in cluster.nodes:
        try:
            if node.alive() and not node.paused:
                st = cluster.info(node, "server")
                out[node.name] = (st.get("run_id"), int(cluster.info(node, "stats")["sync_full"]))
        except (redis.RedisError, OSError, KeyError, ValueError):
            pass
    return out


def full_syncs_since(cluster, before):
    """Full resyncs served since `before` (full_sync_counts), over every node; a node that
    restarted since counts from zero."""
    n = 0
    for name, (run_id, count) in full_sync_counts(cluster).items():
        old = before.get(name)
        n += count - old[1] if old is not None and old[0] == run_id else count
    return n


def count_masters(cluster):
    n = 0
    for node in cluster.nodes:
        try:
            if node.alive() and not node.paused and cluster.info(node).get("role") == "master":
                n += 1
        except (redis.RedisError, OSError):
            pass
    return n


def missing(master, keys, timeout=10.0):
    """The subset of keys absent on master (MGET in batches, retried within timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        c = master.client(timeout=5.0)
        try:
            lost = set()
            for i in range(0, len(keys), 1000):
                chunk = keys[i:i + 1000]
                vals = c.execute_command("MGET", *chunk)
                lost.update(k for k, v in zip(chunk, vals) if v is None)
            return lost
        except (redis.RedisError, OSError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
        finally:
            c.close()


class MasterWatch:
    """Records when any sentinel first names a master other than the one the round began with."""

    def __init__(self, cluster, old_addr):
        self.cluster = cluster
        self.old_addr = old_addr
        self.first_change = None  # (unix time, addr)
        self.stop_flag = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def run(self):
        while not self.stop_flag and self.first_change is None:
            for s in self.cluster.sentinels:
                if not s.alive() or s.paused:
                    continue
                try:
                    view = self.cluster.sentinel_view(s)
                except (redis.RedisError, OSError):
                    continue
                if view and view != self.old_addr:
                    self.first_change = (time.time(), view)
                    return
            time.sleep(0.05)

    def stop(self):
        self.stop_flag = True
        self.thread.join(timeout=5)
