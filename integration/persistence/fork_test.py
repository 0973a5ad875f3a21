#!/usr/bin/env python3
"""One fork child at a time, as Redis (hasActiveChildProcess), and the fork facts INFO reports.

  - BGSAVE while an AOF rewrite runs is refused with Redis's error, BGSAVE SCHEDULE is accepted
    and runs once the rewrite child exits; BGREWRITEAOF while a BGSAVE runs is scheduled.
  - A replica asking for a full sync while a BGSAVE runs waits in wait_bgsave (no second child);
    its snapshot starts when the BGSAVE child exits; BGSAVE during the replication snapshot gets
    "Background save already in progress".
  - While a child runs, current_save_keys_total / _processed, current_fork_perc and
    current_cow_size(_age) report it; afterwards rdb_last_cow_size / aof_last_cow_size hold the
    child's final copy-on-write size and the current_* fields are back to 0.
The children are slowed down with rdb-key-save-delay (Redis has the same test knob)."""

import os
import tempfile
import shutil
import time

import rdb_harness as h

KEYS = 20000


def child_pids(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def persistence(c):
    text = c.cmd("INFO", "persistence").decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def populate(c):
    c.cmd("DEBUG", "POPULATE", KEYS, "key", 64)


def test_bgsave_and_rewrite(args, res, work):
    p = h.Proc("vigil", args.vigil, work,
               ["--save", "", "--appendonly", "yes", "--rdb-key-save-delay", "150"]).start()
    try:
        c = p.client()
        populate(c)
        res.check(c.cmd("BGREWRITEAOF") == "Background append only file rewriting started",
                  "aof+rdb: BGREWRITEAOF starts")
        r = c.call("BGSAVE")
        res.check(isinstance(r, h.RespError) and str(r).startswith(
                      "ERR Another child process is active (AOF?): can't BGSAVE right now"),
                  "aof+rdb: BGSAVE during the rewrite is refused with Redis's error", repr(r))
        res.check(c.cmd("BGSAVE", "SCHEDULE") == "Background saving scheduled",
                  "aof+rdb: BGSAVE SCHEDULE is accepted")
        r = c.call("BGREWRITEAOF")
        res.check(isinstance(r, h.RespError)
                  and str(r) == "ERR Background append only file rewriting already in progress",
                  "aof+rdb: a second BGREWRITEAOF is refused", repr(r))
        res.check(len(child_pids(p.proc.pid)) == 1, "aof+rdb: exactly one child process",
                  str(child_pids(p.proc.pid)))
        info = persistence(c)
        res.check(info.get("current_save_keys_total") == str(KEYS),
                  "aof+rdb: current_save_keys_total is the key count", info.get("current_save_keys_total"))
        reported = h.wait_until(lambda: int(persistence(c)["current_save_keys_processed"]) > 0, 5)
        info = persistence(c)
        res.check(reported and float(info["current_fork_perc"]) > 0,
                  "aof+rdb: the child reports progress (keys processed, fork perc)", str(info.get("current_fork_perc")))
        res.check(int(info["current_cow_size"]) > 0 and int(info["current_cow_size_age"]) <= 5,
                  "aof+rdb: the child reports its copy-on-write size",
                  "%s age %s" % (info["current_cow_size"], info["current_cow_size_age"]))
        res.check(info["rdb_bgsave_in_progress"] == "0",
                  "aof+rdb: rdb_bgsave_in_progress stays 0 while the rewrite runs")
        started = h.wait_until(lambda: persistence(c)["rdb_bgsave_in_progress"] == "1", 30)
        res.check(started, "aof+rdb: the scheduled BGSAVE starts once the rewrite child exits")
        info = persistence(c)
        res.check(int(info["aof_last_cow_size"]) > 0,
                  "aof+rdb: aof_last_cow_size is the rewrite child's final CoW", info["aof_last_cow_size"])
        r = c.call("BGREWRITEAOF")
        res.check(r == "Background append only file rewriting scheduled"
                  and persistence(c)["aof_rewrite_scheduled"] == "1",
                  "aof+rdb: BGREWRITEAOF during the BGSAVE is scheduled", repr(r))
        res.check(len(child_pids(p.proc.pid)) == 1, "aof+rdb: still one child")
        c.cmd("CONFIG", "SET", "rdb-key-save-delay", 0)
        done = h.wait_until(lambda: persistence(c)["rdb_bgsave_in_progress"] == "0"
                            and persistence(c)["aof_rewrite_in_progress"] == "0"
                            and persistence(c)["aof_rewrite_scheduled"] == "0"
                            and int(persistence(c)["aof_rewrites"]) == 2, 60)
        res.check(done, "aof+rdb: the scheduled rewrite runs after the BGSAVE")
        info = persistence(c)
        res.check(int(info["rdb_last_cow_size"]) > 0 and info["rdb_last_bgsave_status"] == "ok",
                  "aof+rdb: rdb_last_cow_size is the BGSAVE child's final CoW",
                  info["rdb_last_cow_size"])
        res.check(all(info[k] in ("0", "0.00") for k in (
                      "current_cow_peak", "current_cow_size", "current_cow_size_age",
                      "current_fork_perc", "current_save_keys_processed",
                      "current_save_keys_total")),
                  "aof+rdb: current_* are 0 with no child", str(info))
        res.check(info["module_fork_last_cow_size"] == "0",
                  "aof+rdb: module_fork_last_cow_size is 0 (no modules)")
        stats = c.cmd("INFO", "stats").decode()
        res.check("total_forks:3" in stats, "aof+rdb: total_forks counts the three children")
        c.close()
    finally:
        p.kill()


def repl_state(c):
    text = c.cmd("INFO", "replication").decode()
    for line in text.splitlines():
        if line.startswith("slave0:"):
            return dict(kv.split("=", 1) for kv in line.split(":", 1)[1].split(","))
    return {}


def test_full_sync_waits_for_bgsave(args, res, work):
    mdir, rdir = os.path.join(work, "m"), os.path.join(work, "r")
    os.makedirs(mdir)
    os.makedirs(rdir)
    m = h.Proc("vigil", args.vigil, mdir,
               ["--save", "", "--repl-diskless-sync", "no", "--rdb-key-save-delay", "150"]).start()
    r = None
    try:
        c = m.client()
        populate(c)
        res.check(c.cmd("BGSAVE") == "Background saving started", "sync: BGSAVE starts")
        r = h.Proc("vigil", args.vigil, rdir,
                   ["--save", "", "--replicaof", h.HOST, str(m.port)]).start()
        waiting = h.wait_until(lambda: repl_state(c).get("state") == "wait_bgsave", 10)
        res.check(waiting, "sync: the replica waits in wait_bgsave while the BGSAVE child runs",
                  str(repl_state(c)))
        time.sleep(0.5)  # a few crons, in which a second child must not be forked
        res.check(len(child_pids(m.proc.pid)) == 1 and repl_state(c).get("state") == "wait_bgsave",
                  "sync: no second child is forked for the replica",
                  str(child_pids(m.proc.pid)))
        c.cmd("CONFIG", "SET", "rdb-key-save-delay", 20)
        forked = h.wait_until(lambda: "total_forks:2" in c.cmd("INFO", "stats").decode()
                              and persistence(c)["rdb_bgsave_in_progress"] == "1", 30)
        res.check(forked, "sync: the replication snapshot starts once the BGSAVE child exits")
        rr = c.call("BGSAVE")
        res.check(isinstance(rr, h.RespError) and str(rr) == "ERR Background save already in progress",
                  "sync: BGSAVE during the replication snapshot: already in progress",
                  repr(rr))
        c.cmd("CONFIG", "SET", "rdb-key-save-delay", 0)
        rc = r.client()
        synced = h.wait_until(lambda: repl_state(c).get("state") == "online"
                              and rc.call("DBSIZE") == KEYS, 60)
        res.check(synced, "sync: the replica completes its full sync with every key")
        stats = c.cmd("INFO", "stats").decode()
        res.check("total_forks:2" in stats,
                  "sync: two forks in all (BGSAVE, then the replication snapshot)")
        res.check(int(persistence(c)["rdb_last_cow_size"]) > 0,
                  "sync: rdb_last_cow_size is set by the replication child")
        rc.close()
        c.close()
    finally:
        m.kill()
        if r is not None:
            r.kill()


def main():
    args = h.parse_args(__doc__)
    res = h.Results(args.verbose)
    work = tempfile.mkdtemp(prefix="vigil-fork-")
    try:
        os.makedirs(os.path.join(work, "a"))
        os.makedirs(os.path.join(work, "b"))
        res.run("bgsave-and-rewrite", lambda: test_bgsave_and_rewrite(args, res, os.path.join(work, "a")))
        res.run("full-sync-waits", lambda: test_full_sync_waits_for_bgsave(args, res, os.path.join(work, "b")))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the "-logs" folders sit inside it too
    res.finish()


if __name__ == "__main__":
    main()
