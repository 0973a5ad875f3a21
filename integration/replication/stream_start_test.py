#!/usr/bin/env python3
"""What a raw SYNC client reads after the snapshot, compared with redis-server 7.0.

Redis's own tests attach to a master's replication stream this way (attach_to_replication_stream
sets repl-ping-replica-period to 3600, sends SYNC, skips the RDB) and expect the first command
after the snapshot to be the SELECT of the first write: a master pings its replicas one period
after they attach, never at once. The commands that follow are the ones Redis propagates (GETSET
goes out as SET). A replica that stops reading makes the master's INFO show the queued stream
(mem_total_replication_buffers, mem_clients_slaves), which Redis's shutdown and maxmemory tests
poll. Checked on vigil-datanode and on redis-server.
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
        line = line.lstrip(b"\n")  # the master's keepalives while the snapshot is prepared
        if line.startswith(b"$"):
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


def check_buffers(res, node):
    sock, _ = attach(node.port)  # and never read again
    try:
        value = "x" * 100000
        for i in range(200):  # 20 MB: more than the kernel's socket buffers on loopback take
            node.call("SET", "big:%d" % (i % 10), value)
        mem = node.info("memory")
        total = int(mem.get("mem_total_replication_buffers", "0"))
        replicas = int(mem.get("mem_clients_slaves", "0"))
        res.check(total > 2 * 1024 * 1024 and replicas > 0,
                  "%s: INFO shows the stream queued for a replica that does not read" % node.kind,
                  "mem_total_replication_buffers=%d mem_clients_slaves=%d" % (total, replicas))
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
            check_buffers(res, n)
    finally:
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
