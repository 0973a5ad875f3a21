#!/usr/bin/env python3
"""Corrupt AOF folders and loading behaviour (issue 3):
  - truncated tail + aof-load-truncated yes: starts, warns, cuts the file at the last command
  - truncated tail + aof-load-truncated no: refuses to start with redis's message
  - garbage in the middle of an incr file: refuses to start, naming the file and the offset
  - --check-aof reports like redis-check-aof, --fix truncates, and the fixed folder loads
  - while loading (key-load-delay), PING gets -LOADING and INFO answers loading:1"""

import os
import subprocess

import aof_harness as h

PARTIAL = b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$5\r\nabc"  # 27 bytes, as cut in a real 7.0.15 AOF


def make_folder(args, res, dirs, tag, nkeys=20):
    work = dirs.new(tag)
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes")
    try:
        if not p.wait_ready():
            res.check(False, "%s: writer starts" % tag, p.log())
            return None
        c = h.Client(p.port)
        for i in range(nkeys):
            c.cmd("SET", "k%d" % i, "v%d" % i)
        c.close()
    finally:
        p.shutdown()
    return work


def incr_path(work):
    return os.path.join(work, "appendonlydir", "appendonly.aof.1.incr.aof")


def dbsize(port):
    c = h.Client(port)
    try:
        return c.cmd("DBSIZE")
    finally:
        c.close()


def test_truncated(args, res, dirs):
    work = make_folder(args, res, dirs, "trunc")
    if work is None:
        return
    path = incr_path(work)
    good_size = os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(PARTIAL)
    chk = subprocess.run([args.vigil, "--check-aof", os.path.join(work, "appendonlydir",
                                                                  "appendonly.aof.manifest")],
                         capture_output=True, text=True, timeout=30)
    ref = subprocess.run([args.redis_check_aof, os.path.join(work, "appendonlydir",
                                                             "appendonly.aof.manifest")],
                         capture_output=True, text=True, timeout=30)
    ours = [l for l in chk.stdout.splitlines() if l.startswith(("AOF", "0x"))]
    theirs = [l for l in ref.stdout.splitlines() if l.startswith(("AOF", "0x"))]
    res.check(chk.returncode == 1 and ours == theirs, "--check-aof reports like redis-check-aof",
              "\nours=%s\ntheirs=%s" % (ours, theirs))
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--aof-load-truncated", "no")
    try:
        code = p.wait_exit(20)
        log = p.log()
        res.check(code not in (None, 0) and "Unexpected end of file reading the append only file "
                  "appendonly.aof.1.incr.aof" in log,
                  "truncated + aof-load-truncated no: refuses to start", "code=%s log=%s" % (code, log[-800:]))
    finally:
        p.kill()
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="vigil2.log")
    try:
        ok = p.wait_ready(20)
        log = p.log()
        res.check(ok and "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset %d !!!"
                  % good_size in log,
                  "truncated + aof-load-truncated yes: starts with the warning", log[-800:])
        res.check(ok and dbsize(p.port) == 20, "truncated: complete commands are all loaded")
        res.check(os.path.getsize(path) == good_size,
                  "truncated: the file was cut at the last command", "size=%d" % os.path.getsize(path))
    finally:
        p.kill()


def test_garbage(args, res, dirs):
    work = make_folder(args, res, dirs, "garbage")
    if work is None:
        return
    path = incr_path(work)
    data = open(path, "rb").read()
    cut = data.index(b"*3\r\n", 40)
    with open(path, "wb") as f:
        f.write(data[:cut] + b"garbage!\r\n" + data[cut:])
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes")
    try:
        code = p.wait_exit(20)
        log = p.log()
        res.check(code not in (None, 0) and "appendonly.aof.1.incr.aof at offset %d" % cut in log,
                  "garbage in the middle: refuses to start naming file and offset",
                  "code=%s log=%s" % (code, log[-800:]))
    finally:
        p.kill()
    manifest = os.path.join(work, "appendonlydir", "appendonly.aof.manifest")
    fix = subprocess.run([args.vigil, "--check-aof", "--fix", manifest], input="y\n",
                         capture_output=True, text=True, timeout=30)
    res.check(fix.returncode == 0 and
              "Successfully truncated AOF appendonly.aof.1.incr.aof" in fix.stdout, "--check-aof --fix truncates the garbage", fix.stdout)
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="vigil2.log")
    try:
        res.check(p.wait_ready(20) and dbsize(p.port) > 0, "fixed folder loads", p.log()[-800:])
    finally:
        p.kill()


def test_loading(args, res, dirs):
    work = make_folder(args, res, dirs, "loading", nkeys=400)
    if work is None:
        return
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--key-load-delay", 10000)
    try:
        ok = p.wait_ready(10, accept_loading=True)
        c = h.Client(p.port)
        ping = c.call("PING")
        info = c.call("INFO", "persistence")
        c.close()
        res.check(ok and isinstance(ping, h.RespError) and
                  str(ping) == "LOADING Redis is loading the dataset in memory", "loading: PING gets -LOADING", repr(ping))
        res.check(isinstance(info, bytes) and
                  b"loading:1" in info, "loading: INFO answers loading:1", repr(info)[:200])
        res.check(p.wait_ready(30) and dbsize(p.port) == 400, "loading: finishes and serves")
    finally:
        p.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, test_truncated, test_garbage, test_loading)
