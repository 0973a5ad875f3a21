#!/usr/bin/env python3
"""Bad and unusual input on raw sockets, checked byte-for-byte against a real redis-server.

Each case opens a fresh connection to both servers, sends the same bytes, reads everything the
server answers until it closes the connection (or a bounded time passes) and compares the bytes
and whether the connection was closed. After every case a second, well-behaved client must
still get +PONG from vigil-datanode (the server keeps serving).
"""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

QUIET_WAIT = 0.4  # how long we wait to decide "no more bytes and still open"


def send_all_tolerant(sock, data):
    """sendall that tolerates the peer closing mid-way (expected for protocol errors)."""
    view = memoryview(data)
    sent = 0
    try:
        while sent < len(view):
            n = sock.send(view[sent:sent + 65536])
            if n == 0:
                break
            sent += n
    except (BrokenPipeError, ConnectionResetError):
        pass
    except socket.timeout:
        pass
    return sent


def probe(port, payload, expect_close=True, wait=None):
    """Send payload on a fresh connection; return (bytes received, connection closed?)."""
    c = harness.RespConn(port, timeout=5)
    try:
        c.sock.settimeout(5)
        send_all_tolerant(c.sock, payload)
        return c.read_until_closed(timeout=wait if wait is not None else (5.0 if expect_close else QUIET_WAIT))
    finally:
        c.close()


def healthy(port):
    try:
        c = harness.RespConn(port, timeout=3)
        try:
            return c.call("PING").raw == b"+PONG\r\n"
        finally:
            c.close()
    except (OSError, ConnectionError):
        return False


def healthy_auth(port, password):
    try:
        c = harness.RespConn(port, timeout=3)
        try:
            if c.call("AUTH", password).raw != b"+OK\r\n":
                return False
            return c.call("PING").raw == b"+PONG\r\n"
        finally:
            c.close()
    except (OSError, ConnectionError):
        return False


def short(b):
    r = repr(b)
    return r if len(r) < 300 else r[:300] + "...(%d bytes)" % len(b)


class Pair:
    def __init__(self, args, extra):
        self.redis = harness.start_redis(args.redis_server, extra)
        try:
            self.vigil = harness.start_vigil(args.vigil, extra)
        except Exception:
            self.redis.stop()
            raise

    def stop(self):
        self.vigil.stop()
        self.redis.stop()


def compare_case(res, pair, name, payload, expect_close=True, expect=None, password=None):
    rr = probe(pair.redis.port, payload, expect_close)
    vr = probe(pair.vigil.port, payload, expect_close)
    if expect is not None:  # sanity of the test itself: real Redis does what we think it does
        res.check(rr == expect, "%s: redis-server reference behaviour" % name,
                  "expected %s got %s" % (short(expect), short(rr)))
    res.check(rr == vr, "%s: vigil matches redis-server" % name,
              "redis=(%s, closed=%s) vigil=(%s, closed=%s)" % (short(rr[0]), rr[1], short(vr[0]), vr[1]))
    ok = healthy(pair.vigil.port) if password is None else healthy_auth(pair.vigil.port, password)
    res.check(ok, "%s: vigil still serves a second client" % name)
    return vr


def cmd(*args):
    return harness.encode_command(list(args))


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    harness.require_tool("redis-server")
    harness.require_file(args.vigil, "vigil-datanode")
    res = harness.Results()
    t0 = time.monotonic()
    pairs = []
    try:
        # ----------------------------------------------------------------- default configuration
        p = Pair(args, [])
        pairs.append(p)
        compare_case(res, p, "invalid bulk length '$x'", b"*1\r\n$x\r\n",
                     expect=(b"-ERR Protocol error: invalid bulk length\r\n", True))
        compare_case(res, p, "invalid multibulk length '*abc'", b"*abc\r\n",
                     expect=(b"-ERR Protocol error: invalid multibulk length\r\n", True))
        compare_case(res, p, "':3' where '$3' expected", b"*2\r\n$3\r\nGET\r\n:3\r\nabc\r\n",
                     expect=(b"-ERR Protocol error: expected '$', got ':'\r\n", True))
        compare_case(res, p, "unbalanced quotes inline", b'SET "abc\r\n',
                     expect=(b"-ERR Protocol error: unbalanced quotes in request\r\n", True))
        compare_case(res, p, "negative bulk length", b"*1\r\n$-1\r\n",
                     expect=(b"-ERR Protocol error: invalid bulk length\r\n", True))
        compare_case(res, p, "multibulk length too large", b"*2147483648\r\n",
                     expect=(b"-ERR Protocol error: invalid multibulk length\r\n", True))
        compare_case(res, p, "replies before the protocol error are kept",
                     cmd("SET", "before", "1") + b"*1\r\n$x\r\n",
                     expect=(b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n", True))
        compare_case(res, p, "inline command", b"PING\r\nECHO 'a b'\r\nSET inl \"x\\x00y\"\r\nGET inl\r\n",
                     expect_close=False, expect=(b"+PONG\r\n$3\r\na b\r\n+OK\r\n$3\r\nx\x00y\r\n", False))
        compare_case(res, p, "inline command with LF only", b"PING\n", expect_close=False,
                     expect=(b"+PONG\r\n", False))
        compare_case(res, p, "*0 and *-1 are ignored", b"*0\r\n*-1\r\n" + cmd("PING"), expect_close=False,
                     expect=(b"+PONG\r\n", False))
        compare_case(res, p, "empty inline lines are ignored", b"\r\n\r\n" + cmd("PING"), expect_close=False,
                     expect=(b"+PONG\r\n", False))
        compare_case(res, p, "inline unknown command", b"NOSUCH a b\r\n", expect_close=False)
        compare_case(res, p, "too big inline request", b"A" * (70 * 1024), expect_close=True,
                     expect=(b"-ERR Protocol error: too big inline request\r\n", True))
        # A PSYNC whose offset is no integer is refused before any sync starts: the client stays
        # a normal one and is answered after it.
        compare_case(res, p, "PSYNC with a non-integer offset",
                     cmd("PSYNC", "replicationid", "offset_str") + cmd("PING"),
                     expect_close=False,
                     expect=(b"-ERR value is not an integer or out of range\r\n+PONG\r\n", False))

        # binary keys and values round-trip
        binkey = b"k\x00\r\n\xff\x01end"
        binval = b"\r\n\x00\x00*1\r\n$3\r\nfoo\r\n\xfe\xff"
        binreq = (cmd(b"SET", binkey, binval) + cmd(b"GET", binkey) + cmd(b"STRLEN", binkey) +
                  cmd(b"KEYS", b"k\x00*"))
        rr = probe(p.redis.port, binreq, expect_close=False)
        vr = probe(p.vigil.port, binreq, expect_close=False)
        expected = (b"+OK\r\n$%d\r\n%s\r\n:%d\r\n*1\r\n$%d\r\n%s\r\n"
                    % (len(binval), binval, len(binval), len(binkey), binkey), False)
        res.check(rr == expected, "binary key/value: redis-server reference behaviour", short(rr))
        res.check(vr == expected, "binary key/value with \\0 and \\r\\n round-trips", short(vr))

        # 1000 pipelined requests in one packet, answered in order
        n = 1000
        packet = b"".join(cmd("ECHO", "msg-%d" % i) if i % 2 == 0 else cmd("INCR", "pipectr")
                          for i in range(n))
        c = harness.RespConn(p.vigil.port, timeout=5)
        try:
            c.send_raw(packet)
            replies = []
            try:
                for _ in range(n):
                    replies.append(c.read_reply())
            except (OSError, ConnectionError, harness.RespError) as e:
                res.check(False, "1000 pipelined requests: all replies received", "after %d: %s" % (len(replies), e))
            expected = [b"$%d\r\nmsg-%d\r\n" % (len("msg-%d" % i), i) if i % 2 == 0 else b":%d\r\n" % ((i + 1) // 2)
                        for i in range(n)]
            got = [r.raw for r in replies]
            bad = [i for i in range(min(len(got), n)) if got[i] != expected[i]]
            res.check(len(got) == n and not bad, "1000 pipelined requests in one packet answered in order",
                      "first bad index %s: %r" % (bad[:1], [got[i] for i in bad[:1]]))
        finally:
            c.close()
        res.check(healthy(p.vigil.port), "after pipelining: vigil still serves a second client")

        # ----------------------------------------------------------------- oversize bulk
        p = Pair(args, ["--proto-max-bulk-len", "1mb"])
        pairs.append(p)
        compare_case(res, p, "bulk over proto-max-bulk-len", b"*2\r\n$3\r\nGET\r\n$2000000\r\n",
                     expect=(b"-ERR Protocol error: invalid bulk length\r\n", True))
        compare_case(res, p, "bulk at proto-max-bulk-len is accepted",
                     cmd("SET", "big", "x" * (1024 * 1024)) + cmd("STRLEN", "big"), expect_close=False,
                     expect=(b"+OK\r\n:1048576\r\n", False))

        # ----------------------------------------------------------------- unauthenticated limits
        p = Pair(args, ["--requirepass", "secret"])
        pairs.append(p)
        compare_case(res, p, "command before AUTH", cmd("GET", "k"), expect_close=False,
                     expect=(b"-NOAUTH Authentication required.\r\n", False), password="secret")
        compare_case(res, p, "wrong password", cmd("AUTH", "wrong"), expect_close=False, password="secret")
        compare_case(res, p, "unauthenticated multibulk of 11 args",
                     cmd("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"),
                     expect=(b"-ERR Protocol error: unauthenticated multibulk length\r\n", True), password="secret")
        compare_case(res, p, "unauthenticated 20000-byte bulk",
                     cmd("ECHO", "y" * 20000),
                     expect=(b"-ERR Protocol error: unauthenticated bulk length\r\n", True), password="secret")
        compare_case(res, p, "after AUTH the same requests are fine",
                     cmd("AUTH", "secret") + cmd("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5") +
                     cmd("STRLEN", "y" * 20000), expect_close=False,
                     expect=(b"+OK\r\n+OK\r\n:0\r\n", False), password="secret")

        # ----------------------------------------------------------------- query buffer limit
        p = Pair(args, ["--client-query-buffer-limit", "1mb"])
        pairs.append(p)
        incomplete = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + b"z" * (2 * 1024 * 1024)
        compare_case(res, p, "query buffer over client-query-buffer-limit", incomplete,
                     expect=(b"", True))
    finally:
        for p in pairs:
            p.stop()
    print("bad_input_test took %.1fs" % (time.monotonic() - t0))
    res.finish()


if __name__ == "__main__":
    main()
