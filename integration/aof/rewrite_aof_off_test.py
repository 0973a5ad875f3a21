#!/usr/bin/env python3
"""BGREWRITEAOF while appendonly is no, as redis-server 7.0 does it: the reply is
"Background append only file rewriting started", appenddirname gets a new base and a manifest
naming only that base (no incr file), earlier bases and incr files become history and are
deleted, INFO counts the rewrite while aof_enabled stays 0. A restart with appendonly no ignores
the folder; with appendonly yes it loads the base. CONFIG SET appendonly yes afterwards rewrites
again (base seq + 1, first incr). Each step runs on vigil and on redis-server and the replies,
INFO fields, folder listings and manifests are compared; redis-server then starts from the folder
vigil wrote and must hold the same dataset."""

import os

import aof_harness as h

INFO_FIELDS = ("aof_enabled", "aof_rewrites", "aof_last_bgrewrite_status", "aof_current_size",
               "aof_rewrite_scheduled")


def write_dataset(c, round_no):
    c.cmd("SET", "s%d" % round_no, "v" * 50)
    c.cmd("RPUSH", "l%d" % round_no, "a", "b", round_no)
    c.cmd("HSET", "h%d" % round_no, "f", "v")
    c.cmd("SADD", "set%d" % round_no, 1, 2, 3)
    c.cmd("ZADD", "z%d" % round_no, 1.5, "m")
    c.cmd("SET", "ttl%d" % round_no, "x", "EX", 3600)
    c.cmd("SELECT", 2)
    c.cmd("SET", "db2:%d" % round_no, round_no)
    c.cmd("SELECT", 0)


def folder(work):
    d = os.path.join(work, "appendonlydir")
    if not os.path.isdir(d):
        return [], None
    names = sorted(os.listdir(d))
    manifest = None
    if "appendonly.aof.manifest" in names:
        with open(os.path.join(d, "appendonly.aof.manifest")) as f:
            manifest = f.read()
    return names, manifest


def rewrite(p):
    """BGREWRITEAOF and wait for it; returns (reply, listing, manifest, info fields)."""
    c = h.Client(p.port)
    try:
        reply = c.call("BGREWRITEAOF")
    finally:
        c.close()
    h.wait_until(lambda: h.info_field(p.port, "aof_rewrite_in_progress") == "0"
                 and h.info_field(p.port, "aof_rewrite_scheduled") == "0", 30)
    # The history files are deleted right after the manifest is written.
    h.wait_until(lambda: len(folder(p.workdir)[0]) <= 2, 5)
    names, manifest = folder(p.workdir)
    return reply, names, manifest, {f: h.info_field(p.port, f) for f in INFO_FIELDS}


def run_steps(kind, binary, work, start):
    """The scenario on one server; returns the observations of every step."""
    seen = {}
    p = start(binary, work, "--appendonly", "no", "--save", "", log_name="%s-1.log" % kind)
    try:
        if not p.wait_ready():
            return {"start": p.log()}
        c = h.Client(p.port)
        write_dataset(c, 1)
        seen["first"] = rewrite(p)
        write_dataset(c, 2)
        seen["second"] = rewrite(p)
        seen["dataset"] = h.dump_dataset(p.port)
        c.close()
        p.shutdown()
        # appendonly no ignores the folder: nothing loads, nothing in it changes.
        p = start(binary, work, "--appendonly", "no", "--save", "", log_name="%s-2.log" % kind)
        if not p.wait_ready():
            return dict(seen, restart=p.log())
        c = h.Client(p.port)
        seen["restart_no_dbsize"] = c.cmd("DBSIZE")
        c.close()
        p.shutdown()
        seen["restart_no_folder"] = folder(work)
    finally:
        p.kill()
    return seen


def test_same_as_redis(args, res, dirs):
    ours_dir, theirs_dir = dirs.new("off-vigil"), dirs.new("off-redis")
    ours = run_steps("vigil", args.vigil, ours_dir, h.start_vigil)
    theirs = run_steps("redis", args.redis_server, theirs_dir, h.start_redis)
    if not res.check("dataset" in ours and "dataset" in theirs,
                     "aof-off: both servers run the scenario",
                     "vigil=%r redis=%r" % (ours.get("start", ours.get("restart")),
                                            theirs.get("start", theirs.get("restart")))):
        return
    reply, names, manifest, info = ours["first"]
    res.check(reply == "Background append only file rewriting started",
              "aof-off: BGREWRITEAOF -> 'Background append only file rewriting started'", repr(reply))
    res.check(names == ["appendonly.aof.1.base.rdb", "appendonly.aof.manifest"],
              "aof-off: a base and a manifest appear, no incr file", str(names))
    res.check(manifest == "file appendonly.aof.1.base.rdb seq 1 type b\n",
              "aof-off: the manifest names only the base", repr(manifest))
    res.check(info == {"aof_enabled": "0", "aof_rewrites": "1", "aof_last_bgrewrite_status": "ok",
                       "aof_current_size": None, "aof_rewrite_scheduled": "0"},
              "aof-off: INFO aof_enabled:0, aof_rewrites:1, status ok, no aof_current_size", repr(info))
    _, names, manifest, _ = ours["second"]
    res.check(names == ["appendonly.aof.2.base.rdb", "appendonly.aof.manifest"]
              and manifest == "file appendonly.aof.2.base.rdb seq 2 type b\n",
              "aof-off: a second rewrite replaces base 1 with base 2",
              "%s %r" % (names, manifest))
    for step in ("first", "second"):
        res.check(ours[step] == theirs[step],
                  "aof-off: %s rewrite: reply, files, manifest and INFO as redis-server" % step, "vigil=%r redis=%r" % (ours[step], theirs[step]))
    res.check(ours["restart_no_dbsize"] == 0 == theirs["restart_no_dbsize"]
              and ours["restart_no_folder"] == theirs["restart_no_folder"] == folder(ours_dir),
              "aof-off: a restart with appendonly no ignores the folder, as redis-server",
              "vigil=%r redis=%r" % (ours["restart_no_dbsize"], theirs["restart_no_dbsize"]))

    # appendonly yes: both servers load the base vigil wrote.
    for kind, binary, start in (("vigil", args.vigil, h.start_vigil),
                                ("redis", args.redis_server, h.start_redis)):
        p = start(binary, ours_dir, "--appendonly", "yes", log_name="%s-yes.log" % kind)
        try:
            if not res.check(p.wait_ready(30),
                             "aof-off: %s starts (appendonly yes) from vigil's folder" % kind, p.log()):
                continue
            got = h.dump_dataset(p.port)
            res.check(got == ours["dataset"] and len(got) == 14,
                      "aof-off: %s loads the dataset of vigil's base" % kind,
                      "%d keys vs %d" % (len(got), len(ours["dataset"])))
            p.shutdown()
            names, manifest = folder(ours_dir)
            res.check(names == ["appendonly.aof.1.incr.aof", "appendonly.aof.2.base.rdb",
                                "appendonly.aof.manifest"],
                      "aof-off: %s adds the first incr file on start" % kind, str(names))
            # Back to the layout the rewrite left, for the next server.
            os.unlink(os.path.join(ours_dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
            with open(os.path.join(ours_dir, "appendonlydir", "appendonly.aof.manifest"), "w") as f:
                f.write("file appendonly.aof.2.base.rdb seq 2 type b\n")
        finally:
            p.kill()


def enable_after_rewrite(binary, work, start, kind):
    """Rewrite with appendonly no, then CONFIG SET appendonly yes; returns the folder."""
    p = start(binary, work, "--appendonly", "no", log_name="%s-enable.log" % kind)
    try:
        if not p.wait_ready():
            return None
        c = h.Client(p.port)
        c.cmd("SET", "k", "v")
        rewrite(p)
        reply = c.call("CONFIG", "SET", "appendonly", "yes")
        h.wait_until(lambda: h.info_field(p.port, "aof_rewrites") == "2"
                     and h.info_field(p.port, "aof_rewrite_in_progress") == "0", 30)
        h.wait_until(lambda: len(folder(work)[0]) <= 3, 5)
        c.cmd("SET", "after", "1")
        c.close()
        return reply, folder(work)
    finally:
        p.kill()


def test_enable_after_rewrite(args, res, dirs):
    ours = enable_after_rewrite(args.vigil, dirs.new("en-vigil"), h.start_vigil, "vigil")
    theirs = enable_after_rewrite(args.redis_server, dirs.new("en-redis"), h.start_redis, "redis")
    expected = ("OK", (["appendonly.aof.1.incr.aof", "appendonly.aof.2.base.rdb",
                        "appendonly.aof.manifest"],
                       "file appendonly.aof.2.base.rdb seq 2 type b\n"
                       "file appendonly.aof.1.incr.aof seq 1 type i\n"))
    res.check(ours == expected,
              "aof-off: CONFIG SET appendonly yes after it rewrites to base 2 + incr 1", repr(ours))
    res.check(ours == theirs, "aof-off: ... as redis-server does",
              "vigil=%r redis=%r" % (ours, theirs))


def earlier_period_then_rewrite(binary, work, start, kind):
    """Files of an appendonly yes period, then BGREWRITEAOF with appendonly no."""
    p = start(binary, work, "--appendonly", "yes", log_name="%s-on.log" % kind)
    try:
        if not p.wait_ready():
            return None
        c = h.Client(p.port)
        c.cmd("SET", "on", "1")
        c.close()
        p.shutdown()
        p = start(binary, work, "--appendonly", "no", log_name="%s-off.log" % kind)
        if not p.wait_ready():
            return None
        c = h.Client(p.port)
        c.cmd("SET", "off", "1")
        c.close()
        return rewrite(p)[:3]
    finally:
        p.kill()


def test_earlier_incr_files_retired(args, res, dirs):
    ours = earlier_period_then_rewrite(args.vigil, dirs.new("hist-vigil"), h.start_vigil, "vigil")
    theirs = earlier_period_then_rewrite(args.redis_server, dirs.new("hist-redis"),
                                         h.start_redis, "redis")
    res.check(ours is not None and ours[1] == ["appendonly.aof.2.base.rdb",
                                               "appendonly.aof.manifest"]
              and ours[2] == "file appendonly.aof.2.base.rdb seq 2 type b\n",
              "aof-off: the earlier period's base and incr become history and are deleted", repr(ours))
    res.check(ours == theirs, "aof-off: ... as redis-server does",
              "vigil=%r redis=%r" % (ours, theirs))


def test_scheduled_during_bgsave(args, res, dirs):
    work = dirs.new("off-sched")
    p = h.start_vigil(args.vigil, work, "--appendonly", "no", "--rdb-key-save-delay", 2000)
    try:
        if not res.check(p.wait_ready(), "aof-off-sched: server starts", p.log()):
            return
        c = h.Client(p.port)
        for i in range(200):
            c.cmd("SET", "k%d" % i, i)
        res.check(c.cmd("BGSAVE") == "Background saving started", "aof-off-sched: BGSAVE starts")
        reply = c.call("BGREWRITEAOF")
        res.check(reply == "Background append only file rewriting scheduled",
                  "aof-off-sched: BGREWRITEAOF during a BGSAVE is scheduled", repr(reply))
        c.cmd("CONFIG", "SET", "rdb-key-save-delay", 0)
        done = h.wait_until(lambda: h.info_field(p.port, "aof_rewrites") == "1"
                            and h.info_field(p.port, "aof_rewrite_in_progress") == "0", 30)
        res.check(done, "aof-off-sched: the rewrite runs once the BGSAVE child exits")
        res.check(folder(work) == (["appendonly.aof.1.base.rdb", "appendonly.aof.manifest"],
                                   "file appendonly.aof.1.base.rdb seq 1 type b\n"),
                  "aof-off-sched: it writes base 1 and the manifest",
                  repr(folder(work)))
        c.close()
    finally:
        p.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, test_same_as_redis, test_enable_after_rewrite,
                test_earlier_incr_files_retired, test_scheduled_during_bgsave)
