#!/usr/bin/env python3
"""vigil-cli against redis-cli 7.0 (issue 7): the same command lines, sent by both clients to
the same vigil-datanode / vigil-sentinel, must print byte-identical output, in every output mode
(non-TTY default, --no-raw, --raw, -3, -n, -r, -x, stdin lines) and through --sentinel-master.
The interactive mode is driven once through a pseudo-terminal (line editing, history recall,
prompt after SELECT, history file).

Intentional differences (not compared):
- "(big number)": redis-cli 7.0.15 exits with "Unknown reply type: 13" on a RESP3 big number;
  vigil-cli prints "(big number) N" (unit-tested in cli/reply_format_test.cc).
- --help / --version texts name vigil-cli.
- Fields that change between two runs (SENTINEL MASTERS ping times, HELLO's client id) are
  masked in both outputs before comparing.
"""

import argparse
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "datanode"))
sys.path.insert(0, os.path.join(HERE, "..", "sentinel"))
import harness as h  # noqa: E402
import sentinel_harness as sh  # noqa: E402

BIN_VALUE = b'a"b\\\n\t\xff\x00end'

# Each entry is one command line as argv; every one runs in every mode of MODES.
COMMANDS = [
    ["PING"],
    ["PING", "hello world"],
    ["ECHO", ""],
    ["SET", "k", "v"],
    ["SET", "key with space", "value with \"quotes\""],
    ["GET", "str"],
    ["GET", "bin"],
    ["GET", "missing"],
    ["MGET", "str", "missing", "bin"],
    ["STRLEN", "bin"],
    ["INCR", "counter"],
    ["INCRBYFLOAT", "counter", "1.5"],
    ["APPEND", "str", "!"],
    ["GETRANGE", "str", "0", "2"],
    ["SETRANGE", "str", "0", "X"],
    ["EXISTS", "str", "missing", "list"],
    ["TYPE", "list"],
    ["TTL", "str"],
    ["DEL", "missing"],
    ["LRANGE", "list", "0", "-1"],
    ["LRANGE", "missing", "0", "-1"],
    ["LLEN", "list"],
    ["LINDEX", "list", "3"],
    ["LPOP", "list", "2"],
    ["HGETALL", "hash"],
    ["HGETALL", "missing"],
    ["HGET", "hash", "f1"],
    ["HMGET", "hash", "f1", "nope", "f2"],
    ["HKEYS", "hash"],
    ["HINCRBYFLOAT", "hash", "num", "0.25"],
    ["SMEMBERS", "intset"],
    ["SMEMBERS", "missing"],
    ["SISMEMBER", "intset", "2"],
    ["SCARD", "intset"],
    ["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
    ["ZRANGE", "zset", "0", "-1"],
    ["ZSCORE", "zset", "b"],
    ["ZSCORE", "zset", "nope"],
    ["ZINCRBY", "zset", "0.5", "a"],
    ["ZRANK", "zset", "c"],
    ["ZPOPMIN", "zset"],
    ["SCAN", "0", "MATCH", "list*"],
    ["DBSIZE"],
    ["TYPE", "missing"],
    ["OBJECT", "ENCODING", "list"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "maxmemory*"],
    ["INFO", "keyspace"],
    ["PUBLISH", "nobody", "msg"],
    ["MULTI"],
    ["EXEC"],
    ["SELECT", "1"],
    ["SELECT", "99"],
    ["NOSUCHCOMMAND", "arg"],
    ["GET"],
    ["LPUSH", "str", "x"],
    ["INCR", "str"],
    ["SET", "k", "v", "EX", "notanumber"],
    ["EXPIRE", "str", "100"],
    ["SORT", "intset"],
    ["COMMAND", "COUNT"],
]

MODES = [
    ("non-tty default", []),
    ("--no-raw", ["--no-raw"]),
    ("--raw", ["--raw"]),
    ("-3 --no-raw", ["-3", "--no-raw"]),
    ("-3 default", ["-3"]),
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil-cli", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--redis-cli", default=shutil.which("redis-cli") or "redis-cli")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


def load_fixture(port):
    c = h.RespConn(port)
    try:
        c.call("SELECT", "1")
        c.call("FLUSHDB")
        c.call("SET", "db1key", "in db 1")
        c.call("SELECT", "0")
        c.call("FLUSHDB")
        c.call("SET", "str", "hello")
        c.call("SET", "bin", BIN_VALUE)
        c.call("SET", "counter", "10")
        c.call("RPUSH", "list", *[chr(ord("a") + i) for i in range(11)])
        c.call("HSET", "hash", "f1", "v1", "f2", "", "num", "1.5")
        c.call("SADD", "intset", "3", "1", "2")
        c.call("ZADD", "zset", "1.5", "a", "2", "b", "3.25", "c")
    finally:
        c.close()


def run(binary, args, stdin=b"", timeout=20):
    p = subprocess.run([binary] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.stdout, p.stderr, p.returncode


VOLATILE = [b"last-ping-sent", b"last-ok-ping-reply", b"last-ping-reply", b"info-refresh",
            b"role-reported-time", b"down-after-milliseconds-left", b"last-hello-message",
            b"master-link-down-time", b"id"]


def mask(out):
    """Digits on the line after (or, for maps, after the '=>' of) a volatile field are masked."""
    lines = out.split(b"\n")
    for i, line in enumerate(lines):
        for field in VOLATILE:
            quoted = b'"' + field + b'"'
            if line.strip() == field or line.endswith(quoted) or line.endswith(b" " + field):
                if i + 1 < len(lines):
                    lines[i + 1] = re.sub(rb"\d+", b"N", lines[i + 1])
            if (quoted + b" => ") in line or line.startswith(field + b" "):
                lines[i] = re.sub(rb"\d+", b"N", line)
    return b"\n".join(lines)


class Comparer:
    def __init__(self, args, results):
        self.args = args
        self.r = results

    def same(self, name, cli_args, stdin=b"", setup=None, compare_stderr=True, masked=False):
        outs = []
        for binary in (self.args.redis_cli, self.args.vigil_cli):
            if setup:
                setup()
            outs.append(run(binary, cli_args, stdin))
        (ro, re_, rc), (vo, ve, vc) = outs
        if masked:
            ro, vo = mask(ro), mask(vo)
        ok = ro == vo and rc == vc and (not compare_stderr or re_ == ve)
        detail = ""
        if not ok:
            detail = ("args=%r\n redis-cli rc=%d out=%r err=%r\n vigil-cli rc=%d out=%r err=%r"
                      % (cli_args, rc, ro, re_, vc, vo, ve))
        self.r.check(ok, name, detail)
        return ok


def run_in_pty(argv, env=None, timeout=10):
    """One-shot command with stdout on a terminal: returns everything printed."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env or os.environ)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return out


class PtyReader:
    """Consumes a pty's output up to expected byte strings, with a bounded wait."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def expect(self, needle, timeout=10):
        """Returns (found, text consumed up to and including the needle)."""
        deadline = time.monotonic() + timeout
        while needle not in self.buf and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.buf += chunk
        at = self.buf.find(needle)
        if at < 0:
            text, self.buf = self.buf, b""
            return False, text
        text, self.buf = self.buf[:at + len(needle)], self.buf[at + len(needle):]
        return True, text


def check_interactive(args, r, port, tmpdir):
    histfile = os.path.join(tmpdir, "history")
    env = dict(os.environ, VIGILCLI_HISTFILE=histfile, TERM="xterm")
    prompt = b"127.0.0.1:%d> " % port
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args.vigil_cli, [args.vigil_cli, "-p", str(port)], env)
    pty_out = PtyReader(fd)

    def step(name, typed, reply, next_prompt=prompt):
        # The line editor redraws the prompt on every key, so a reply is looked for after the
        # newline that ends the typed line, and the step ends at the following prompt.
        os.write(fd, typed)
        found, echo = pty_out.expect(b"\r\n")
        got, text = pty_out.expect(reply)
        got_prompt, rest = pty_out.expect(next_prompt)
        r.check(found and got and got_prompt, "interactive: " + name, repr(echo + text + rest))
        return echo

    try:
        found, out = pty_out.expect(prompt)
        r.check(found, "interactive: prompt shows host:port", repr(out))
        step("SET prints OK", b'SET greeting "hello world"\r', b"OK\r\n")
        # Typed with an edit: "GT", left arrow, "E", End, " greeting".
        step("left-arrow edit, TTY formatting", b"GT\x1b[DE\x1b[F greeting\r",
             b'"hello world"\r\n')
        echo = step("up-arrow recalls the previous command", b"\x1b[A\r", b'"hello world"\r\n')
        r.check(b"GET greeting" in echo, "interactive: the recalled line is shown", repr(echo))
        step("prompt shows [2] after SELECT", b"SELECT 2\r", b"OK\r\n",
             b"127.0.0.1:%d[2]> " % port)
        step("integer reply formatting", b"RPUSH l a b\r", b"(integer) 2\r\n",
             b"127.0.0.1:%d[2]> " % port)
        os.write(fd, b"quit\r")
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status, pid = st, None
                break
            pty_out.expect(b"\x00", 0.1)
        r.check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
                "interactive: quit exits with 0", str(status))
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    try:
        with open(histfile, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        lines = [str(e).encode()]
    r.check(lines == [b'SET greeting "hello world"', b"GET greeting", b"SELECT 2",
                      b"RPUSH l a b", b"quit", b""],
            "interactive: history file written in order, a recalled line kept once", repr(lines))


def stream_output(binary, port, cli_args, trigger, ready, done):
    """Starts `binary` on a streaming command, runs trigger() once ready() holds, and returns
    what it printed when done(output) holds (or after 10 s); the process is then killed."""
    p = subprocess.Popen([binary, "-p", str(port)] + cli_args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = b""
    try:
        sh.wait_for(ready, 10)
        trigger()
        deadline = time.monotonic() + 10
        while not done(out) and time.monotonic() < deadline:
            ready_fds, _, _ = select.select([p.stdout], [], [], 0.1)
            if ready_fds:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
    finally:
        p.kill()
        p.communicate(timeout=10)
    return out


def check_subscribe(args, r, port):
    """SUBSCRIBE and PSUBSCRIBE keep printing messages; both clients print the same stream."""
    def trigger():
        sh.call(port, "PUBLISH", "news", "first")
        sh.call(port, "PUBLISH", "news", "second line\nwith newline")

    for command, count in ((["SUBSCRIBE", "news"], "NUMSUB"), (["PSUBSCRIBE", "ne*"], "NUMPAT")):
        def subscribed():
            reply = sh.call(port, "PUBSUB", count, *(["news"] if count == "NUMSUB" else []))
            return (reply[1] if count == "NUMSUB" else reply) == 1

        def unsubscribed():
            return not subscribed()

        for mode in ([], ["--no-raw"], ["-3", "--no-raw"]):
            outs = []
            for binary in (args.redis_cli, args.vigil_cli):
                outs.append(stream_output(binary, port, mode + command, trigger, subscribed,
                                          lambda o: b"with newline" in o))
                sh.wait_for(unsubscribed, 10)
            r.check(outs[0] == outs[1] and b"with newline" in outs[1],
                    "%s stream %s" % (command[0], " ".join(mode) or "(non-TTY default)"),
                    "%r\n%r" % tuple(outs))


def check_monitor(args, r, redis_port):
    """MONITOR keeps printing the commands others send (vigil-datanode has no MONITOR, so this
    runs against redis-server). Timestamps and client ports differ between runs: masked."""
    outs = []
    for binary in (args.redis_cli, args.vigil_cli):
        def trigger():
            sh.call(redis_port, "SET", "monitored", "value 1")

        def ready():
            clients = sh.call(redis_port, "CLIENT", "LIST")
            return "cmd=monitor" in clients

        out = stream_output(binary, redis_port, ["MONITOR"], trigger, ready,
                            lambda o: b'"monitored"' in o)
        sh.wait_for(lambda: "cmd=monitor" not in sh.call(redis_port, "CLIENT", "LIST"), 10)
        outs.append(re.sub(rb"\d+", b"N", out))
    r.check(outs[0] == outs[1] and b'"SET" "monitored" "value N"' in outs[1],
            "MONITOR stream", "%r\n%r" % tuple(outs))


def main():
    args = parse_args()
    h.require_tool("redis-cli")
    for path, what in ((args.vigil_cli, "vigil-cli"), (args.vigil, "vigil-datanode"),
                       (args.vigil_sentinel, "vigil-sentinel")):
        h.require_file(path, what)
    r = h.Results()
    node = h.start_vigil(args.vigil)
    secured = None
    sentinel = None
    tmpdir = tempfile.mkdtemp(prefix="vigil-cli-it-")
    try:
        port = node.port
        base = ["-p", str(port)]
        cmp_ = Comparer(args, r)
        fixture = lambda: load_fixture(port)  # noqa: E731

        for mode_name, mode in MODES:
            for cmd in COMMANDS:
                cmp_.same("%s: %s" % (mode_name, " ".join(cmd)), base + mode + cmd, setup=fixture,
                          masked=cmd[0] == "HELLO")
        cmp_.same("HELLO 3 map (client id masked)", base + ["--no-raw", "HELLO", "3"],
                  masked=True)
        cmp_.same("-n 1 GET", base + ["-n", "1", "GET", "db1key"], setup=fixture)
        cmp_.same("-n 1 --no-raw DBSIZE", base + ["-n", "1", "--no-raw", "DBSIZE"], setup=fixture)
        cmp_.same("-n 99: SELECT failure reported, command still runs",
                  base + ["-n", "99", "GET", "str"], setup=fixture)
        cmp_.same("-r 3 INCR", base + ["-r", "3", "INCR", "counter"], setup=fixture)
        cmp_.same("-r 3 --no-raw LRANGE", base + ["-r", "3", "--no-raw", "LRANGE", "list", "0", "1"],
                  setup=fixture)
        started = time.monotonic()
        out, _, rc = run(args.vigil_cli, base + ["-r", "3", "-i", "0.2", "PING"])
        took = time.monotonic() - started
        r.check(out == b"PONG\nPONG\nPONG\n" and rc == 0 and took >= 0.55,
                "-r 3 -i 0.2 repeats with a fractional interval", "%r %.2fs" % (out, took))
        cmp_.same("-x takes the last argument from stdin", base + ["-x", "SET", "fromstdin"],
                  stdin=b"line1\nline2\n", setup=fixture)
        cmp_.same("-x value readback", base + ["--no-raw", "GET", "fromstdin"])
        script = (b'PING\nSET a "x y"\nGET a\n\nGET bin\nNOSUCH\nSELECT 1\nGET db1key\n'
                  b'3 INCR counter\n"unbalanced\n0 PING\nLRANGE list 0 2\n')
        for mode_name, mode in MODES:
            cmp_.same("stdin lines, %s" % mode_name, base + mode, stdin=script, setup=fixture)
        cmp_.same("unknown option", ["--bogus"])
        cmp_.same("connection refused", ["-p", str(h.free_port()), "PING"])

        secured = h.start_vigil(args.vigil, ["--requirepass", "s3cret"])
        sp = ["-p", str(secured.port)]
        cmp_.same("-a authenticates", sp + ["-a", "s3cret", "PING"])
        cmp_.same("--user default --pass", sp + ["--user", "default", "--pass", "s3cret", "PING"])
        cmp_.same("--no-auth-warning", sp + ["--no-auth-warning", "-a", "s3cret", "PING"])
        cmp_.same("wrong password: AUTH failed then NOAUTH", sp + ["-a", "nope", "PING"])
        cmp_.same("no password: NOAUTH", sp + ["--no-raw", "PING"])

        sentinel = sh.sentinel(args.vigil_sentinel, [("mym", port, 1)])
        sentinel.start()
        sp = ["-p", str(sentinel.port)]
        sentinel_cmds = [
            ["PING"],
            ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mym"],
            ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"],
            ["SENTINEL", "MASTERS"],
            ["SENTINEL", "MASTER", "mym"],
            ["SENTINEL", "MASTER", "nosuch"],
            ["SENTINEL", "REPLICAS", "mym"],
            ["SENTINEL", "SENTINELS", "mym"],
            ["SENTINEL", "CKQUORUM", "mym"],
            ["SENTINEL", "CONFIG", "GET", "*"],
            ["SENTINEL", "MYID"],
            ["ROLE"],
        ]
        for mode_name, mode in MODES:
            for cmd in sentinel_cmds:
                cmp_.same("sentinel %s: %s" % (mode_name, " ".join(cmd)), sp + mode + cmd,
                          masked=True)

        # --sentinel-master: the same output as talking to the master directly.
        for mode_name, mode in MODES[:3]:
            for cmd in (["SET", "viasentinel", "1"], ["INCR", "viasentinel"],
                        ["LRANGE", "list", "0", "-1"], ["HGETALL", "hash"]):
                load_fixture(port)
                want = run(args.redis_cli, base + mode + cmd)
                load_fixture(port)
                got = run(args.vigil_cli, sp + ["--sentinel-master", "mym"] + mode + cmd)
                r.check(want == got, "--sentinel-master %s: %s" % (mode_name, " ".join(cmd)),
                        "%r\n%r" % (want, got))
        out, err, rc = run(args.vigil_cli, sp + ["--sentinel-master", "nosuch", "PING"])
        r.check(rc == 1 and b"no master named 'nosuch'" in err and out == b"",
                "--sentinel-master with an unknown name fails", repr((out, err, rc)))

        # TTY formatting: stdout on a terminal gives the human style, like --no-raw.
        load_fixture(port)
        for cmd in (["LRANGE", "list", "0", "-1"], ["GET", "bin"], ["HGETALL", "missing"]):
            want = run_in_pty([args.redis_cli] + base + cmd)
            got = run_in_pty([args.vigil_cli] + base + cmd)
            r.check(want == got and len(got) > 0, "stdout on a terminal: %s" % " ".join(cmd),
                    "%r\n%r" % (want, got))

        check_subscribe(args, r, port)
        redis = h.start_redis(h.require_tool("redis-server"))
        try:
            check_monitor(args, r, redis.port)
        finally:
            redis.stop()
        load_fixture(port)
        check_interactive(args, r, port, tmpdir)
    finally:
        if sentinel is not None:
            sentinel.cleanup()
        if secured is not None:
            secured.stop()
        node.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
