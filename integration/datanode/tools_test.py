#!/usr/bin/env python3
"""The unchanged Redis tools against vigil-datanode: redis-cli, redis-benchmark and redis-py.

redis-cli invocations are run against both a real redis-server and vigil-datanode and their
stdout/exit codes compared; --pipe and redis-benchmark must complete without errors; redis-py
exercises pipelines, WATCH transactions, pub/sub get_message and scan_iter. `unixsocket`:
redis-cli -s and redis-benchmark -s reach the data node through its socket file, which carries
`unixsocketperm` and is removed at shutdown, as with redis-server.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TOOL_TIMEOUT = 40


def run(cmd, stdin=None, timeout=TOOL_TIMEOUT):
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -999, e.stdout or b"", b"timeout after %ds" % timeout


def cli(port, *args, stdin=None):
    return run(["redis-cli", "-h", harness.HOST, "-p", str(port)] + list(args), stdin=stdin)


# Each entry: (description, redis-cli args, stdin). Run in order against both servers.
CLI_CASES = [
    ("one-shot SET", ["SET", "k", "v"], None),
    ("one-shot GET", ["GET", "k"], None),
    ("GET missing (nil, not a tty)", ["GET", "nokey"], None),
    ("formatted nil", ["--no-raw", "GET", "nokey"], None),
    ("SET value with newline", ["SET", "nl", "line1\nline2"], None),
    ("--raw GET newline value", ["--raw", "GET", "nl"], None),
    ("--no-raw GET newline value", ["--no-raw", "GET", "nl"], None),
    ("RPUSH", ["RPUSH", "list", "a", "b", "c"], None),
    ("--no-raw LRANGE", ["--no-raw", "LRANGE", "list", "0", "-1"], None),
    ("--raw LRANGE", ["--raw", "LRANGE", "list", "0", "-1"], None),
    ("--no-raw INCR", ["--no-raw", "INCR", "counter"], None),
    ("--no-raw error reply", ["--no-raw", "INCR", "k"], None),
    ("-e error exit code", ["-e", "INCR", "k"], None),
    ("unknown command", ["NOSUCHCMD", "x"], None),
    ("-n 3 SET", ["-n", "3", "SET", "db3key", "three"], None),
    ("-n 3 GET", ["-n", "3", "GET", "db3key"], None),
    ("-n 0 GET (other db)", ["-n", "0", "GET", "db3key"], None),
    ("-n 3 DBSIZE", ["-n", "3", "DBSIZE"], None),
    ("-x reads last arg from stdin", ["-x", "SET", "fromstdin"], b"stdin-value"),
    ("GET -x value", ["--no-raw", "GET", "fromstdin"], None),
    ("commands from stdin (non-interactive)", [], b"SET s1 1\nINCR s1\nGET s1\nPING\n"),
    ("-3 HELLO-mode HGETALL", ["-3", "--no-raw", "HGETALL", "nohash"], None),
    ("-3 PING", ["-3", "PING"], None),
    ("--no-raw binary value", ["--no-raw", "ECHO", "a\x01b"], None),
    ("-r 3 repeat", ["-r", "3", "INCR", "rep"], None),
    ("--no-raw DEL", ["--no-raw", "DEL", "k", "nl", "nokey"], None),
]


def test_cli(res, redis_port, vigil_port):
    for name, args, stdin in CLI_CASES:
        rr = cli(redis_port, *args, stdin=stdin)
        vr = cli(vigil_port, *args, stdin=stdin)
        res.check(rr[0] == vr[0] and rr[1] == vr[1], "redis-cli %s" % name,
                  "redis rc=%s out=%r err=%r | vigil rc=%s out=%r err=%r"
                  % (rr[0], rr[1], rr[2][:200], vr[0], vr[1], vr[2][:200]))


def test_pipe(res, port):
    n = 1000
    payload = b"".join(harness.encode_command(["SET", "pipe:%d" % i, "value-%d" % i]) for i in range(n - 1))
    payload += harness.encode_command(["RPUSH", "pipe:list", "x"])
    rc, out, err = cli(port, "-n", "5", "--pipe", stdin=payload)
    text = (out + err).decode(errors="replace")
    res.check(rc == 0, "redis-cli --pipe exit code 0", "rc=%s output=%r" % (rc, text[-500:]))
    res.check("errors: 0, replies: %d" % n in text, "redis-cli --pipe 1000 replies, 0 errors", repr(text[-500:]))
    rc, out, _ = cli(port, "-n", "5", "DBSIZE")
    res.check(out.strip() == b"%d" % n, "DBSIZE after --pipe is %d" % n, repr(out))
    rc, out, _ = cli(port, "-n", "5", "GET", "pipe:777")
    res.check(out.strip() == b"value-777", "value written by --pipe", repr(out))


BENCH_TESTS = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "LPOP", "SADD", "HSET",
               "ZADD", "MSET (10 keys)"]


def test_benchmark(res, port):
    cmd = ["redis-benchmark", "-h", harness.HOST, "-p", str(port), "-q", "-n", "2000", "-c", "10",
           "-t", "set,get,lpush,lpop,sadd,hset,zadd,incr,mset,ping"]
    t0 = time.monotonic()
    rc, out, err = run(cmd, timeout=45)
    text = (out + err).decode(errors="replace")
    # -q prints progress with \r and a final "NAME: N requests per second" line per test.
    final = {}
    for seg in re.split(r"[\r\n]", text):
        m = re.match(r"^(.+?): ([\d.]+) requests per second", seg.strip())
        if m:
            final[m.group(1)] = m.group(2)
    res.check(rc == 0, "redis-benchmark exit code 0", "rc=%s tail=%r" % (rc, text[-600:]))
    errors = [seg for seg in re.split(r"[\r\n]", text) if re.search(r"error|ERR", seg, re.I)]
    res.check(not errors, "redis-benchmark reports no errors", repr(errors[:5]))
    for t in BENCH_TESTS:
        res.check(t in final, "redis-benchmark test %s completed" % t, "got %s" % sorted(final))
    print("redis-benchmark (%.1fs): %s" % (time.monotonic() - t0,
                                           ", ".join("%s=%s" % kv for kv in final.items())))


def test_redis_py(res, port):
    redis = harness.import_redis_py()
    if redis is None:
        res.check(False, "import redis", "the python 'redis' module (python3-redis) is not installed for %s"
                  % sys.executable)
        return
    r = redis.Redis(host=harness.HOST, port=port, db=7, socket_timeout=5, decode_responses=True)
    other = redis.Redis(host=harness.HOST, port=port, db=7, socket_timeout=5, decode_responses=True)
    try:
        res.check(r.ping() is True, "redis-py ping")
        r.flushdb()
        # plain pipeline (no MULTI)
        p = r.pipeline(transaction=False)
        p.set("a", "1").incr("a").get("a").rpush("l", "x", "y").lrange("l", 0, -1).hset("h", mapping={"f": "v"})
        out = p.execute()
        res.check(out == [True, 2, "2", 2, ["x", "y"], 1], "redis-py pipeline", repr(out))
        # transactional pipeline
        p = r.pipeline(transaction=True)
        p.incr("a").sadd("s", "m1", "m2").scard("s")
        out = p.execute()
        res.check(out == [3, 2, 2], "redis-py MULTI/EXEC pipeline", repr(out))
        # pipeline with an error inside: raise_on_error=False gives the exception object
        p = r.pipeline(transaction=True)
        p.set("str", "abc").incr("str")
        out = p.execute(raise_on_error=False)
        res.check(out[0] is True and isinstance(out[1], redis.ResponseError), "redis-py EXEC with runtime error",
                  repr(out))

        # WATCH: success when untouched, WatchError when another client writes
        r.set("balance", 10)
        with r.pipeline() as pipe:
            pipe.watch("balance")
            cur = int(pipe.get("balance"))
            pipe.multi()
            pipe.set("balance", cur + 5)
            ok = pipe.execute()
        res.check(ok == [True] and r.get("balance") == "15", "redis-py watch transaction commits", repr(ok))
        raised = False
        with r.pipeline() as pipe:
            pipe.watch("balance")
            other.set("balance", 100)
            pipe.multi()
            pipe.set("balance", 0)
            try:
                pipe.execute()
            except redis.WatchError:
                raised = True
        res.check(raised and r.get("balance") == "100", "redis-py watch transaction aborted by another client")

        def incr_tx(pipe):
            v = int(pipe.get("balance"))
            pipe.multi()
            pipe.set("balance", v + 1)
        res.check(r.transaction(incr_tx, "balance") == [True] and r.get("balance") == "101",
                  "redis-py Redis.transaction helper")

        # pub/sub with get_message (bounded polling)
        ps = r.pubsub()
        ps.subscribe("news")
        ps.psubscribe("ev.*")
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            m = ps.get_message(timeout=0.2)
            if m:
                got.append((m["type"], m["channel"]))
        res.check(got == [("subscribe", "news"), ("psubscribe", "ev.*")], "redis-py pubsub subscribe confirmations",
                  repr(got))
        n1 = other.publish("news", "hello")
        n2 = other.publish("ev.login", "bob")
        res.check(n1 == 1 and n2 == 1, "redis-py publish receiver counts", "%r %r" % (n1, n2))
        msgs = []
        deadline = time.monotonic() + 5
        while len(msgs) < 2 and time.monotonic() < deadline:
            m = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if m:
                msgs.append((m["type"], m.get("pattern"), m["channel"], m["data"]))
        res.check(msgs == [("message", None, "news", "hello"), ("pmessage", "ev.*", "ev.login", "bob")],
                  "redis-py pubsub get_message", repr(msgs))
        numsub = r.pubsub_numsub("news")
        res.check(numsub == [("news", 1)], "redis-py pubsub_numsub", repr(numsub))
        ps.unsubscribe()
        ps.punsubscribe()
        ps.close()

        # scan_iter over more keys than one SCAN batch
        r.flushdb()
        p = r.pipeline(transaction=False)
        for i in range(300):
            p.set("scan:%d" % i, i)
        p.set("other", 1)
        p.execute()
        keys = set(r.scan_iter(match="scan:*", count=25))
        res.check(keys == {"scan:%d" % i for i in range(300)}, "redis-py scan_iter(match, count)",
                  "got %d keys" % len(keys))
        res.check(len(list(r.scan_iter())) == 301, "redis-py scan_iter all keys")
        r.sadd("bigset", *["m%d" % i for i in range(200)])
        members = set(r.sscan_iter("bigset", count=20))
        res.check(len(members) == 200, "redis-py sscan_iter", "got %d" % len(members))
        r.hset("bighash", mapping={"f%d" % i: i for i in range(200)})
        fields = dict(r.hscan_iter("bighash", count=20))
        res.check(len(fields) == 200, "redis-py hscan_iter", "got %d" % len(fields))
        # binary safety with decode_responses=False
        rb = redis.Redis(host=harness.HOST, port=port, db=7, socket_timeout=5)
        rb.set(b"bin\x00key", b"\x00\r\n\xff")
        res.check(rb.get(b"bin\x00key") == b"\x00\r\n\xff", "redis-py binary round-trip")
        rb.close()
    except Exception as e:  # any unexpected exception is a failure, not a crash of the suite
        res.check(False, "redis-py unexpected exception", "%s: %s" % (type(e).__name__, e))
    finally:
        r.close()
        other.close()


def test_unix_socket(res, binary, kind):
    sockdir = tempfile.mkdtemp(prefix="vigil-it-unix-")
    path = os.path.join(sockdir, "redis.sock")
    server = harness.Server(kind, binary, ["--unixsocket", path, "--unixsocketperm", "700"])
    server.start()
    try:
        code, out, err = run(["redis-cli", "-s", path, "PING"])
        res.check(out.strip() == b"PONG", "%s: redis-cli -s PING" % kind, repr((out, err)))
        res.check(os.stat(path).st_mode & 0o777 == 0o700, "%s: unixsocketperm 700" % kind,
                  oct(os.stat(path).st_mode))
        code, out, err = run(["redis-cli", "-s", path, "CLIENT", "INFO"])
        res.check(("addr=%s:0" % path).encode() in out, "%s: CLIENT INFO names the socket" % kind,
                  repr(out))
        code, out, err = run(["redis-benchmark", "-s", path, "-n", "2000", "-t", "set,get", "-q"])
        res.check(code == 0 and b"SET" in out and b"GET" in out,
                  "%s: redis-benchmark -s" % kind, repr((out[-200:], err[-200:])))
        run(["redis-cli", "-s", path, "SHUTDOWN", "NOSAVE"])
        exited = harness.wait_until(lambda: server.proc.poll() is not None, 10)
        res.check(exited and not os.path.exists(path),
                  "%s: the socket file is removed at shutdown" % kind)
    finally:
        server.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    for tool in ("redis-server", "redis-cli", "redis-benchmark"):
        harness.require_tool(tool)
    harness.require_file(args.vigil, "vigil-datanode")
    res = harness.Results()
    redis_srv = vigil = None
    t0 = time.monotonic()
    try:
        redis_srv = harness.start_redis(args.redis_server)
        vigil = harness.start_vigil(args.vigil)
        test_cli(res, redis_srv.port, vigil.port)
        test_pipe(res, vigil.port)
        test_benchmark(res, vigil.port)
        test_redis_py(res, vigil.port)
        test_unix_socket(res, args.vigil, "vigil")
        test_unix_socket(res, args.redis_server, "redis")
        res.check(vigil.alive(), "vigil-datanode still running at the end", vigil.log_tail())
    finally:
        if vigil is not None:
            vigil.stop()
        if redis_srv is not None:
            redis_srv.stop()
    print("tools_test took %.1fs" % (time.monotonic() - t0))
    res.finish()


if __name__ == "__main__":
    main()
