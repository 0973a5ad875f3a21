#!/usr/bin/env python3
"""Startup RDB loading keeps serving clients, and a shutdown during loading never saves.

1. A 2M-key dump loads while a client polls PING: it sees -LOADING, then PONG and every key.
2. SIGTERM during loading exits 0 and leaves dump.rdb byte-identical (saving then would
   overwrite the file being loaded with a partial dataset).
3. The same -LOADING service while an AOF's RDB-preamble base loads (after BGREWRITEAOF most
   of the data set is in that base).
4. `key-load-delay` slows a small startup load (as Redis's sentinel suite does to watch a master
   that reboots and stays loading): PINGs keep getting -LOADING within a fraction of a second,
   so a sentinel sees a live, loading master rather than a silent one.
"""
import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "datanode"))
import harness  # noqa: E402

KEYS = 2_000_000


def command(port, *args, timeout=5.0):
    """One request on a fresh connection; returns the raw first reply line (or None)."""
    try:
        with socket.create_connection((harness.HOST, port), timeout=timeout) as s:
            s.sendall(b"".join([b"*%d\r\n" % len(args)] +
                               [b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args]))
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.split(b"\r\n")[0].decode()
    except OSError:
        return None


def start(vigil, port, workdir, extra=()):
    return subprocess.Popen([vigil, "--port", str(port), "--bind", harness.HOST, "--dir", workdir,
                             "--logfile", os.path.join(workdir, "server.log"),
                             "--save", "", "--enable-debug-command", "yes",
                             "--loading-process-events-interval-bytes", "65536"] + list(extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, cwd=workdir)


def wait_port(port, proc, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection((harness.HOST, port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.002)
    return False


def ping_until_pong(port, seconds=60):
    """PINGs every 5 ms until +PONG (bounded); returns the set of reply kinds seen."""
    seen = set()
    deadline = time.time() + seconds
    while time.time() < deadline:
        r = command(port, "PING", timeout=2)
        if r is not None:
            seen.add(r.split(" ")[0])
            if r == "+PONG":
                break
        time.sleep(0.005)
    return seen


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    res = harness.Results()
    workdir = tempfile.mkdtemp(prefix="vigil-rdb-loading-")
    procs = []
    try:
        port = harness.free_port()
        p = start(args.vigil, port, workdir)
        procs.append(p)
        res.check(wait_port(port, p, 10), "first start")
        res.check(command(port, "DEBUG", "POPULATE", str(KEYS)) == "+OK", "populate")
        res.check(command(port, "SAVE", timeout=60) == "+OK", "save")
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)
        dump = os.path.join(workdir, "dump.rdb")
        before = digest(dump)

        # 1. Served while loading.
        port = harness.free_port()
        p = start(args.vigil, port, workdir)
        procs.append(p)
        res.check(wait_port(port, p, 10), "restart listens while loading")
        seen = ping_until_pong(port)
        res.check("-LOADING" in seen, "PING got -LOADING during the load", str(seen))
        res.check("+PONG" in seen, "PING answered after the load", str(seen))
        res.check(command(port, "DBSIZE") == ":%d" % KEYS, "all keys loaded")
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)

        # 2. SIGTERM during loading: no save, file untouched, exit 0.
        port = harness.free_port()
        p = start(args.vigil, port, workdir)
        procs.append(p)
        wait_port(port, p, 10)
        loading = False
        deadline = time.time() + 10
        while time.time() < deadline and not loading:
            loading = (command(port, "PING", timeout=2) or "").startswith("-LOADING")
        res.check(loading, "caught the server loading")
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
        res.check(rc == 0, "exit code 0 on SIGTERM during loading", str(rc))
        res.check(digest(dump) == before, "dump.rdb untouched by a shutdown during loading")

        # 3. An AOF whose base is an RDB preamble.
        aof = ["--appendonly", "yes", "--dbfilename", "unused.rdb"]
        port = harness.free_port()
        p = start(args.vigil, port, workdir, aof)
        procs.append(p)
        res.check(wait_port(port, p, 10), "aof: start")
        res.check(command(port, "DEBUG", "POPULATE", str(KEYS)) == "+OK", "aof: populate")
        command(port, "BGREWRITEAOF")
        deadline = time.time() + 60
        while time.time() < deadline:
            if b"aof_rewrite_in_progress:0" in subprocess.run(
                    ["redis-cli", "-p", str(port), "INFO", "persistence"],
                    capture_output=True).stdout:
                break
            time.sleep(0.1)
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)
        port = harness.free_port()
        p = start(args.vigil, port, workdir, aof)
        procs.append(p)
        res.check(wait_port(port, p, 10), "aof: restart listens while loading")
        seen = ping_until_pong(port)
        res.check("-LOADING" in seen, "aof: PING got -LOADING while the RDB preamble loaded", str(seen))
        res.check(command(port, "DBSIZE") == ":%d" % KEYS, "aof: all keys loaded")
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)

        # 4. A slowed startup load still answers promptly.
        small = tempfile.mkdtemp(prefix="vigil-rdb-delay-", dir=workdir)
        port = harness.free_port()
        p = start(args.vigil, port, small)
        procs.append(p)
        res.check(wait_port(port, p, 10), "delay: first start")
        command(port, "DEBUG", "POPULATE", "4000")
        res.check(command(port, "SAVE", timeout=60) == "+OK", "delay: save")
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)
        port = harness.free_port()
        p = start(args.vigil, port, small, ["--key-load-delay", "1000"])  # ~4 s of loading
        procs.append(p)
        res.check(wait_port(port, p, 10), "delay: restart listens while loading")
        slowest, loading_replies = 0.0, 0
        deadline = time.time() + 30
        while time.time() < deadline:
            t0 = time.time()
            r = command(port, "PING", timeout=5) or ""
            slowest = max(slowest, time.time() - t0)
            if r == "+PONG":
                break
            loading_replies += r.startswith("-LOADING")
            time.sleep(0.05)
        res.check(loading_replies >= 10, "delay: PING got -LOADING through the slowed load",
                  str(loading_replies))
        res.check(slowest < 0.5, "delay: every PING answered within 0.5 s", "%.3f s" % slowest)
        res.check(command(port, "DBSIZE") == ":4000", "delay: all keys loaded")
        command(port, "SHUTDOWN", "NOSAVE")
        p.wait(timeout=20)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
