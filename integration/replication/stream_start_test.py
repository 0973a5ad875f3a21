#!/usr/bin/env python3
"""What a raw SYNC client reads after the snapshot, compared with redis-server 7.0.

Redis's own tests attach to a master's replication stream this way (attach_to_replication_stream
sets repl-ping-replica-period to 3600, sends SYNC, skips the RDB) and expect the first command
after the snapshot to be the SELECT of the first write: a master pings its replicas one period
after they attach, never at once. The commands that follow are the ones Redis propagates (GETSET
goes out as SET). Checked on vigil-datanode and on redis-server.
"""

import socket
import time

import repl_harness as rh


def read_line(sock, buf):
    while b"\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("stream closed")
        buf += chunk
    line, rest = buf.split(b"\r\n", 1)
    return line, rest


def read_exact(sock, buf, n):
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("stream closed")
        buf += chunk
    return buf[:n], buf[n:]


def attach(port):
    """SYNC on a raw socket; returns the socket and the bytes read past the snapshot."""
    sock = socket.create_connection((rh.HOST, port), timeout=20)
    sock.sendall(b"*1\r\n$4\r\nSYNC\r\n")
    buf = b""
    while True:
        line, buf = read_line(sock, buf)
        if line.startswith(b"$"):  # empty lines before it are the master's keepalives
            break
    if line.startswith(b"$EOF:"):
        mark = line[5:]
        while mark not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("stream closed")
            buf += chunk
        buf = buf[buf.index(mark) + len(mark):]
    else:
        _, buf = read_exact(sock, buf, int(line[1:]))
    return sock, buf


def next_command(sock, buf):
    """One command of the stream as a list of strings, and what was read past it."""
    line, buf = read_line(sock, buf)
    count = int(line[1:])
    args = []
    for _ in range(count):
        line, buf = read_line(sock, buf)
        arg, buf = read_exact(sock, buf, int(line[1:]) + 2)
        args.append(arg[:-2].decode())
    return args, buf


def check(res, node):
    node.call("CONFIG", "SET", "repl-ping-replica-period", "3600")
    sock, buf = attach(node.port)
    try:
        time.sleep(1.2)  # the behaviour under test: no PING within the master's next cron runs
        node.call("SELECT", "9")
        node.call("SET", "k", "v")
        node.call("GETSET", "g", "1")
        node.call("SELECT", "0")
        stream = []
        for _ in range(3):
            args, buf = next_command(sock, buf)
            stream.append([a.lower() if i == 0 else a for i, a in enumerate(args)])
        res.check(stream[0] == ["select", "9"],
                  "%s: the first command after the snapshot is SELECT 9" % node.kind, repr(stream))
        res.check(stream[2] == ["set", "g", "1"],
                  "%s: GETSET is propagated as SET" % node.kind, repr(stream))
    finally:
        sock.close()


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    redis = rh.require_tool("redis-server")
    res = rh.Results()
    nodes = []
    try:
        for kind, binary in (("vigil", args.vigil), ("redis", redis)):
            n = rh.Node(kind, binary)
            nodes.append(n)
            check(res, n)
    finally:
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
