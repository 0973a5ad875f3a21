#!/usr/bin/env python3
"""Lua-heavy client libraries work unchanged through a Vigil failover (issue 15).

Three libraries users install, each driving the server's Lua scripting (EVAL/EVALSHA, NOSCRIPT
fallback, cmsgpack in BullMQ's scripts), run at once through three sentinels while the master
is handed over with `SENTINEL FAILOVER` (`--fault failover`) or killed with SIGKILL
(`--fault kill`):

  * BullMQ (npm `bullmq`, ioredis Sentinel options): a producer adds --jobs jobs with fixed ids
    (retrying a failed add, which BullMQ makes idempotent by id) while a Worker processes them.
    Asserted: every job ends `completed` with its own return value, none `failed`. BullMQ is
    at-least-once: a job whose lock or completion was lost with the old master is reclaimed as
    stalled and run again, so duplicate executions are allowed and reported, never required.
    The one loss Redis replication allows is the kill -9 of a master holding writes its replicas
    have not received yet: with `--fault kill` a job acknowledged in the last --loss-window-ms
    before the kill may be missing; every other job must complete. A planned failover loses
    nothing: on Vigil it runs as `SENTINEL FAILOVER <name> COORDINATED` (the old master hands
    over with FAILOVER TO; plain SENTINEL FAILOVER is Redis's unfenced switch, whose in-flight
    writes to the demoted master are dropped, in Redis as in Vigil: against redis-server +
    redis-sentinel 7.0.15, ioredis kept adding to the old master for the ~10 s until its
    sentinels turned it into a replica, and 1097 of 1500 jobs were gone afterwards).
  * redlock (npm `redlock` v5 on ioredis): acquire / extend / release cycles and `using` with
    automatic extension, before and after the failover (the new master answers NOSCRIPT to
    the first EVALSHA; redlock falls back to EVAL).
  * redis-py's Lock (Debian's redis-py 4.3.4, `Sentinel.master_for`): acquire / extend /
    reacquire / release cycles, retried on ConnectionError / ReadOnlyError as an app would.

Also checked: the new master answered NOSCRIPT (scripts are replicated as their effects, so
its cache starts empty) and the libraries went on with EVAL. Versions: node/package.json
(bullmq 6.7.6, redlock 5.0.0-beta.2, ioredis 5.8.2). Run it against Redis with
`--vigil redis-server --vigil-sentinel redis-sentinel`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sentinel"))
sys.path.insert(0, HERE)
import sentinel_harness as sh  # noqa: E402
import sdk_failover_test as sdk  # noqa: E402
import node_clients_test as nodetest  # noqa: E402

NAME = sdk.NAME


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode (or redis-server) binary")
    p.add_argument("--npm-dir", required=True, help="where the npm packages are installed")
    p.add_argument("--fault", choices=["kill", "failover"], required=True)
    p.add_argument("--jobs", type=int, default=1500)
    p.add_argument("--loss-window-ms", type=int, default=500)
    a = p.parse_args()
    a.vigil, a.vigil_sentinel = map(os.path.abspath,
                                    (shutil.which(a.vigil) or a.vigil,
                                     shutil.which(a.vigil_sentinel) or a.vigil_sentinel))
    a.auth = False  # sdk.start_cluster reads it
    a.is_redis = os.path.basename(a.vigil).startswith("redis")
    return a


class PyLockCycles(threading.Thread):
    """redis-py Lock cycles through Sentinel.master_for until stopped."""

    def __init__(self, redis, sentinel_ports):
        super().__init__(daemon=True)
        from redis.sentinel import Sentinel
        self.redis = redis
        self.sentinel = Sentinel([(sh.HOST, p) for p in sentinel_ports], socket_timeout=1.0,
                                 socket_connect_timeout=1.0)
        self.stop = threading.Event()
        self.acks, self.errors, self.first_error, self.checks_failed = [], 0, "", 0

    def cycle(self, r):
        lock = r.lock("pylock:res", timeout=2, blocking_timeout=3)
        if not lock.acquire():
            raise RuntimeError("acquire timed out")
        if r.get("pylock:res") != lock.local.token:
            self.checks_failed += 1
        lock.extend(1)  # adds: about 3 s left
        if not 2000 < r.pttl("pylock:res") <= 3000:
            self.checks_failed += 1
        lock.reacquire()  # resets to the lock's 2 s timeout
        if not 0 < r.pttl("pylock:res") <= 2000:
            self.checks_failed += 1
        lock.release()
        if r.exists("pylock:res"):
            self.checks_failed += 1

    def run(self):
        r = self.sentinel.master_for(NAME, socket_timeout=1.0, socket_connect_timeout=1.0)
        errors = (self.redis.exceptions.ConnectionError, self.redis.exceptions.TimeoutError,
                  self.redis.exceptions.ReadOnlyError, self.redis.exceptions.LockError,
                  self.redis.exceptions.ResponseError, RuntimeError)
        while not self.stop.is_set():
            try:
                self.cycle(r)
                self.acks.append(time.time())
            except errors as e:
                self.errors += 1
                self.first_error = self.first_error or "%s: %s" % (type(e).__name__, e)
                time.sleep(0.05)
            time.sleep(0.005)


def read_log(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out.append((int(parts[0]) / 1000.0, parts[1]))
    return out


def summary_of(p, timeout):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    lines = out.decode().strip().splitlines()
    try:
        return json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}


def run(args, res):
    redis = sh.import_redis_py()
    if redis is None:
        raise RuntimeError("redis-py is not installed (Debian: python3-redis)")
    nodetest.install_packages(args.npm_dir)
    procs, popens, pylock = [], [], None
    work = tempfile.mkdtemp(prefix="vigil-lua-clients-")
    stop_file = os.path.join(work, "stop")
    check_file = os.path.join(work, "check")
    try:
        master, _, sents = sdk.start_cluster(args, procs)
        sentinels = ",".join("%s:%d" % (sh.HOST, s.port) for s in sents)
        env = dict(os.environ, NODE_PATH=os.path.join(args.npm_dir, "node_modules"))

        def node_script(name, *argv):
            script = os.path.join(args.npm_dir, name)
            shutil.copyfile(os.path.join(HERE, "node", name), script)
            err = open(os.path.join(work, name + ".err"), "wb")
            p = subprocess.Popen(["node", script, "--sentinels", sentinels, "--master", NAME]
                                 + list(argv), stdout=subprocess.PIPE, stderr=err, env=env)
            err.close()
            popens.append(p)
            return p

        bull_log = os.path.join(work, "bullmq.acks")
        lock_log = os.path.join(work, "redlock.acks")
        bull = node_script("bullmq_queue.mjs", "--queue", "vigil-jobs", "--jobs", str(args.jobs),
                           "--interval", "5", "--ack-log", bull_log, "--check-file", check_file,
                           "--deadline-s", "90")
        redlock = node_script("redlock_cycles.mjs", "--prefix", "redlock:", "--ack-log", lock_log,
                              "--stop-file", stop_file)
        pylock = PyLockCycles(redis, [s.port for s in sents])
        pylock.start()

        def cycles(kind):
            return [t for t, k in read_log(lock_log) if k == kind]

        before = sh.wait_for(lambda: len(read_log(bull_log)) > args.jobs // 4 and
                             len(cycles("cycle")) > 20 and len(cycles("using")) > 2 and
                             len(pylock.acks) > 20, 30)
        res.check(before, "every library works before the fault",
                  "bullmq adds %d, redlock cycles %d / using %d, redis-py lock cycles %d"
                  % (len(read_log(bull_log)), len(cycles("cycle")), len(cycles("using")),
                     len(pylock.acks)))
        old = master.port
        t_fault = time.time()
        if args.fault == "kill":
            master.kill()
        else:
            how = ["SENTINEL", "FAILOVER", NAME] + ([] if args.is_redis else ["COORDINATED"])
            res.check(sh.call(sents[0].port, *how) == "OK", " ".join(how) + " accepted")
        moved = sh.wait_for(lambda: (sh.master_addr(sents[0].port, NAME) or (0, old))[1] != old,
                            30)
        t_switch = time.time()
        res.check(moved, "the sentinels name a new master")
        new_port = sh.master_addr(sents[0].port, NAME)[1]
        print("fault %s: new master after %.2f s" % (args.fault, t_switch - t_fault))

        # Let the libraries run on the new master, then stop the loops; BullMQ stops itself
        # once every job is completed.
        after = t_switch + 1.0
        sh.wait_for(lambda: len([t for t in cycles("cycle") if t > after]) > 20 and
                    len([t for t in cycles("using") if t > after]) > 2 and
                    len([t for t in pylock.acks if t > after]) > 20, 20)
        def settled():
            return all(p is master and not p.alive() or p.port == new_port or
                       sh.call(p.port, "ROLE", timeout=1.0)[0] == "slave"
                       for p in procs if p.name == "node")
        res.check(sh.wait_for(settled, 40), "the old master is dead or a replica again")
        t_settled = time.time()
        open(check_file, "w").close()
        bull_sum = summary_of(bull, 100)
        open(stop_file, "w").close()
        pylock.stop.set()
        pylock.join(10)
        lock_sum = summary_of(redlock, 20)

        # BullMQ
        shown = dict(bull_sum, not_completed=bull_sum.get("not_completed", [])[:10])
        print("bullmq: %s" % json.dumps(shown))
        res.check(bull.returncode == 0, "bullmq script exits 0",
                  open(os.path.join(work, "bullmq_queue.mjs.err")).read()[-800:])
        acks = read_log(bull_log)
        print("settled %.2f s after the switch" % (t_settled - t_switch))
        res.check(len(acks) == args.jobs and any(t > after for t, _ in acks),
                  "bullmq: every job added, some after the failover",
                  "%d acknowledged adds" % len(acks))
        ack_time = dict((k, t) for t, k in acks)
        states = bull_sum.get("states", {})
        res.check(states.get("failed", 0) == 0, "bullmq: no job failed", repr(states))
        res.check(bull_sum.get("wrong_results", 1) == 0,
                  "bullmq: every completed job holds its own return value")
        missing = [s.split(":")[0] for s in bull_sum.get("not_completed", [])]
        if args.fault == "kill":
            window = [k for k in missing if k in ack_time and
                      t_fault - args.loss_window_ms / 1000.0 <= ack_time[k] <= t_fault and
                      k + ":missing" in bull_sum.get("not_completed", [])]
            others = sorted(set(missing) - set(window))
            res.check(not others, "bullmq: every job completed except ones acknowledged in the "
                      "last %d ms before the kill (async replication)" % args.loss_window_ms,
                      "%d others not completed: %s" % (len(others), others[:20]))
            print("bullmq: %d jobs lost with the killed master's unreplicated writes"
                  % len(window))
        else:
            res.check(not missing and states.get("completed") == args.jobs,
                      "bullmq: all %d jobs completed (none lost)" % args.jobs, repr(states))
        n_completed = sh.call(new_port, "ZCARD", "bull:vigil-jobs:completed")
        res.check(n_completed == states.get("completed"),
                  "bullmq: the new master's completed set agrees", repr(n_completed))
        res.check(bull_sum.get("executions", 0) >= states.get("completed", 0),
                  "bullmq: at least one execution per completed job (duplicates: %d)"
                  % bull_sum.get("duplicate_executions", 0))
        # At-least-once, not any-number-of-times: a job runs again only when the master that
        # held its lock and state went away while it was in flight (the worker's lock lasts
        # 4 s), never a job that had finished well before the fault.
        early = [d for d in bull_sum.get("duplicates", [])
                 if not t_fault - 5.0 <= d[1] / 1000.0 <= t_switch + 1.0]
        res.check(not early, "bullmq: only jobs in flight at the fault ran twice", repr(early[:10]))

        # The new master's script cache started empty: the clients met NOSCRIPT and loaded.
        errs = sh.call(new_port, "INFO", "errorstats") or ""
        cmds = sh.call(new_port, "INFO", "commandstats") or ""
        res.check("errorstat_NOSCRIPT:count=" in errs and "cmdstat_eval:calls=" in cmds,
                  "the new master answered NOSCRIPT and the clients fell back to EVAL",
                  errs.strip()[:300])

        # redlock
        print("redlock: %s; checks failed at %s s from the fault" % (
            json.dumps(lock_sum), ["%.2f" % (t / 1000.0 - t_fault)
                                   for t in lock_sum.get("anomalies_ms", [])]))
        res.check(redlock.returncode == 0, "redlock script exits 0",
                  open(os.path.join(work, "redlock_cycles.mjs.err")).read()[-800:])
        res.check(len([t for t in cycles("cycle") if t > after]) > 20,
                  "redlock: acquire/extend/release cycles after the failover")
        res.check(len([t for t in cycles("using") if t > after]) > 2,
                  "redlock: using() with automatic extension after the failover")
        # ioredis resends a command after a reconnect even when its caller already timed
        # out (a write paused by the hand-over), so a late acquire can land after the cycle's
        # release: checks may fail inside the failover window, never outside it.
        steady = [t / 1000.0 for t in lock_sum.get("anomalies_ms", [0])
                  if not t_fault - 1.0 <= t / 1000.0 <= t_settled + 3.0]
        res.check("anomalies_ms" in lock_sum and not steady,
                  "redlock: lock value, extended TTL and release are right in every cycle "
                  "outside the failover window", json.dumps(lock_sum))

        # redis-py Lock
        print("redis-py lock: %d cycles, %d errors (first: %s), %d failed checks"
              % (len(pylock.acks), pylock.errors, pylock.first_error, pylock.checks_failed))
        res.check(len([t for t in pylock.acks if t > after]) > 20,
                  "redis-py Lock: acquire/extend/reacquire/release cycles after the failover")
        res.check(pylock.checks_failed == 0,
                  "redis-py Lock: token, extended TTL, reacquired TTL and release are right")
        # A cycle cut by the failover leaves its lock held until the TTL (at most 3 s) ends:
        # the next acquire waits for it, as it would for any client that died holding it.
        gaps = [b - a for a, b in zip(pylock.acks, pylock.acks[1:])]
        bound = (t_switch - t_fault) + 3.0 + 2.0
        res.check(max(gaps or [0]) <= bound,
                  "redis-py Lock: longest gap within failover time + lock TTL (3 s) + 2 s",
                  "%.2f s, bound %.2f s" % (max(gaps or [0]), bound))
    finally:
        if pylock is not None:
            pylock.stop.set()
        sh.stop_everything(procs, popens, stop_file=stop_file)
        if pylock is not None:
            pylock.join(5)
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_args()
    res = sh.Results()
    run(args, res)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
