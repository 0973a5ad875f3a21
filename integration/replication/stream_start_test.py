#!/usr/bin/env python3
"""What a raw SYNC client reads after the snapshot, compared with redis-server 7.0.

Redis's own tests attach to a master's replication stream this way (attach_to_replication_stream
sets repl-ping-replica-period to 3600, sends SYNC, skips the RDB) and expect the first command
after the snapshot to be the SELECT of the first write: a master pings its replicas one period
after they attach, never at once. Checked on vigil-datanode and on redis-server.
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
    sock = socket.create_connection((rh.HOST, port), timeout=10)
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


def first_command(sock, buf):
    line, buf = read_line(sock, buf)
    count = int(line[1:])
    args = []
    for _ in range(count):
        line, buf = read_line(sock, buf)
        arg, buf = read_exact(sock, buf, int(line[1:]) + 2)
        args.append(arg[:-2].decode())
    return args


def check(res, node):
    node.call("CONFIG", "SET", "repl-ping-replica-period", "3600")
    sock, buf = attach(node.port)
    try:
        time.sleep(1.2)  # the behaviour under test: no PING within the master's next cron runs
        node.call("SELECT", "9")
        node.call("SET", "k", "v")
        node.call("SELECT", "0")
        args = first_command(sock, buf)
        res.check([a.lower() for a in args] == ["select", "9"],
                  "%s: the first command after the snapshot is SELECT 9" % node.kind, repr(args))
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
