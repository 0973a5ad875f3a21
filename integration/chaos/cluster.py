"""The group under test: 3 data nodes and 3 or 5 sentinels (Vigil's or Redis 7.0's).

Every process is started with Popen (inside its host's namespace through `ip netns exec`, which
execs, so the pid is the server's own) and stopped by that pid. Data nodes run from a config
file so the sentinels' CONFIG REWRITE persists `replicaof`, which is what makes a restart "with
its data" rejoin the group the way an operator's restart would. The controller talks to every
process over the bridge with redis-py and short timeouts.
"""

import os
import shutil
import signal
import subprocess
import time

import redis

NODE_PORT = 6379
SENTINEL_PORT = 26379
MASTER_NAME = "mym"


class Proc:
    def __init__(self, name, host, port, workdir, argv_fn, topo):
        self.name = name
        self.host = host
        self.port = port
        self.dir = workdir
        self.argv_fn = argv_fn
        self.topo = topo
        self.popen = None
        self.paused = False

    @property
    def addr(self):
        return "%s:%d" % (self.host.ip, self.port)

    def start(self):
        log = open(os.path.join(self.dir, "stdout.log"), "ab")
        try:
            self.popen = subprocess.Popen(self.topo.wrap(self.host, self.argv_fn(self)),
                                          stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, cwd=self.dir)
        finally:
            log.close()
        self.paused = False
        return self

    def alive(self):
        p = self.popen  # read once: the master watch thread calls this too
        return p is not None and p.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.popen.pid, sig)

    def kill9(self):
        if self.popen is None:
            return
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.popen = None
        self.paused = False

    def pause(self):
        self.signal(signal.SIGSTOP)
        self.paused = True

    def resume(self):
        self.signal(signal.SIGCONT)
        self.paused = False

    def client(self, timeout=1.0):
        return redis.Redis(host=self.host.ip, port=self.port, socket_timeout=timeout,
                           socket_connect_timeout=timeout, decode_responses=True)

    def call(self, *args, timeout=1.0):
        c = self.client(timeout)
        try:
            return c.execute_command(*args)
        finally:
            c.close()

    def ping(self):
        try:
            return self.call("PING") in (True, "PONG")
        except (redis.RedisError, OSError):
            return False

    def log_tail(self, n=15):
        out = []
        for f in ("server.log", "sentinel.log", "stdout.log"):
            p = os.path.join(self.dir, f)
            if os.path.exists(p):
                with open(p, errors="replace") as fh:
                    out.append("== %s %s\n%s" % (self.name, f, "".join(fh.readlines()[-n:])))
        return "\n".join(out)


def wait_until(pred, timeout, step=0.05):
    """Polls pred (exceptions count as False) until it holds or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if pred():
                return True
        except (redis.RedisError, OSError, ValueError, TypeError, KeyError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


class Cluster:
    def __init__(self, topo, workdir, flavor, node_bin, sentinel_bin, n_sentinels,
                 down_after_ms, failover_timeout_ms, diskless_delay=0):
        self.topo = topo
        self.workdir = workdir
        self.flavor = flavor
        self.node_bin = node_bin
        self.sentinel_bin = sentinel_bin
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms
        self.diskless_delay = diskless_delay
        self.quorum = n_sentinels // 2 + 1
        self.nodes = [self._node("n%d" % i) for i in range(1, 4)]
        self.sentinels = [self._sentinel("s%d" % i) for i in range(1, n_sentinels + 1)]

    def _dir(self, name):
        d = os.path.join(self.workdir, name)
        os.makedirs(d, exist_ok=True)
        return d

    def _node(self, name):
        host = self.topo.host(name)
        p = Proc(name, host, self.topo.port(host, NODE_PORT), self._dir(name),
                 lambda q: [self.node_bin, os.path.join(q.dir, "node.conf")], self.topo)
        return p

    def _sentinel(self, name):
        host = self.topo.host(name)
        p = Proc(name, host, self.topo.port(host, SENTINEL_PORT), self._dir(name),
                 lambda q: [self.sentinel_bin, os.path.join(q.dir, "sentinel.conf")], self.topo)
        return p

    def write_node_conf(self, p, master):
        lines = ["port %d" % p.port, "bind %s" % p.host.ip, "protected-mode no",
                 "dir %s" % p.dir, "logfile %s" % os.path.join(p.dir, "server.log"),
                 'save ""', "appendonly yes", "appendfsync everysec",
                 "repl-diskless-sync-delay %d" % self.diskless_delay]
        if master is not None:
            lines.append("replicaof %s %d" % (master.host.ip, master.port))
        with open(os.path.join(p.dir, "node.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def write_sentinel_conf(self, s, master):
        lines = ["port %d" % s.port, "bind %s" % s.host.ip, "protected-mode no",
                 "dir %s" % s.dir, "logfile %s" % os.path.join(s.dir, "sentinel.log"),
                 "sentinel monitor %s %s %d %d" % (MASTER_NAME, master.host.ip, master.port,
                                                   self.quorum),
                 "sentinel down-after-milliseconds %s %d" % (MASTER_NAME, self.down_after_ms),
                 "sentinel failover-timeout %s %d" % (MASTER_NAME, self.failover_timeout_ms)]
        with open(os.path.join(s.dir, "sentinel.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=30):
        """Starts n1 as master, n2/n3 as its replicas, then the sentinels; waits until settled."""
        master = self.nodes[0]
        for i, n in enumerate(self.nodes):
            self.write_node_conf(n, None if i == 0 else master)
            n.start()
        if not wait_until(lambda: all(n.ping() for n in self.nodes), 15):
            raise RuntimeError("data nodes did not start:\n" + self.logs())
        if not wait_until(lambda: all(self.info(n).get("master_link_status") == "up"
                                      for n in self.nodes[1:]), timeout):
            raise RuntimeError("replicas did not link:\n" + self.logs())
        for s in self.sentinels:
            self.write_sentinel_conf(s, master)
            s.start()
        if not wait_until(self.settled, timeout, step=0.2):
            raise RuntimeError("sentinels did not settle:\n" + self.logs())

    def settled(self):
        """Every sentinel knows both replicas and every other sentinel."""
        for s in self.sentinels:
            m = s.call("SENTINEL", "MASTER", MASTER_NAME)
            d = dict(zip(m[::2], m[1::2])) if isinstance(m, list) else m
            if int(d["num-other-sentinels"]) != len(self.sentinels) - 1:
                return False
            if int(d["num-slaves"]) < len(self.nodes) - 1:
                return False
        return True

    def info(self, node, section="replication"):
        return node.client().info(section)

    def node_by_addr(self, addr):
        for n in self.nodes:
            if n.addr == addr:
                return n
        return None

    def sentinel_view(self, s):
        r = s.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME, timeout=0.5)
        return "%s:%s" % (r[0], r[1]) if r else None

    def current_master(self):
        """The node the sentinels name, if it also reports role:master."""
        for s in self.sentinels:
            if not s.alive() or s.paused:
                continue
            try:
                n = self.node_by_addr(self.sentinel_view(s))
                if n is not None and self.info(n).get("role") == "master":
                    return n
            except (redis.RedisError, OSError):
                continue
        return None

    def supports_fencing(self):
        try:
            r = self.nodes[0].call("CONFIG", "GET", "sentinel-fence-timeout")
        except (redis.RedisError, OSError):
            return False
        return bool(r)

    def enable_fencing(self, timeout_ms):
        for n in self.nodes:
            if n.alive():
                n.call("CONFIG", "SET", "sentinel-fence-timeout", str(timeout_ms))

    def wipe_data(self, node):
        """Removes a stopped node's data files, keeping its config file."""
        for entry in os.listdir(node.dir):
            if entry in ("node.conf", "server.log", "stdout.log"):
                continue
            path = os.path.join(node.dir, entry)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    def procs(self):
        return self.nodes + self.sentinels

    def ensure_running(self):
        """Resumes paused processes and restarts dead ones (a round that failed may leave one)."""
        for p in self.procs():
            if p.paused:
                p.resume()
            if not p.alive():
                p.start()

    def stop(self):
        for p in self.procs():
            if p.paused:
                p.resume()
            p.kill9()

    def logs(self):
        return "\n".join(p.log_tail() for p in self.procs())
