#!/usr/bin/env python3
"""CONFIG SET bind / port re-listen at runtime, as redis-server 7.0 does, and the process title
follows (proc-title-template).

- bind to 127.0.0.1 and ::1 (when the machine has IPv6 loopback): accepted, 127.0.0.1 answers
  (the test sends traffic to 127.0.0.1 only);
- bind to an address this machine does not have (192.0.2.1, TEST-NET-1: binding fails locally,
  nothing is sent): CONFIG SET fails with Redis's error and the old addresses still answer;
- port moved: the new port answers, the old one refuses;
- /proc/<pid>/cmdline shows the title built from proc-title-template with the current port.
"""

import os
import socket
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def answers(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((host, port))
        s.sendall(b"PING\r\n")
        return s.recv(16) == b"+PONG\r\n"
    except OSError:
        return False
    finally:
        s.close()


def has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def title_of(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().rstrip(b"\0").decode()


def main():
    args = harness.parse_args(__doc__)
    failures = []

    def check(ok, what):
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        if not ok:
            failures.append(what)

    with harness.start_vigil(args.vigil, ["--proc-title-template", "vigil {listen-addr} {port}"]) as v:
        c = harness.RespConn(v.port)
        check(title_of(v.proc.pid) == "vigil %s:%d %d" % (harness.HOST, v.port, v.port),
              "the process title follows proc-title-template: %r" % title_of(v.proc.pid))
        v6 = has_ipv6_loopback()
        binds = "127.0.0.1 -::1" if v6 else "127.0.0.1"
        r = c.call("CONFIG", "SET", "bind", binds)
        check(r.value == b"OK", "CONFIG SET bind %s: %r" % (binds, r.value))
        check(c.call("CONFIG", "GET", "bind").value[1].value == binds.encode(), "CONFIG GET bind")
        check(answers("127.0.0.1", v.port), "127.0.0.1 answers")
        c = harness.RespConn(v.port)
        r = c.call("CONFIG", "SET", "bind", "192.0.2.1")
        check(r.kind == "-" and b"Failed to bind to specified addresses" in r.value,
              "an address the machine lacks is refused: %r" % r.value)
        check(c.call("CONFIG", "GET", "bind").value[1].value == binds.encode(),
              "the bind setting is restored")
        check(answers("127.0.0.1", v.port), "the old address still answers")
        new_port = harness.free_port()
        r = c.call("CONFIG", "SET", "port", str(new_port))
        check(r.value == b"OK", "CONFIG SET port %d" % new_port)
        check(answers("127.0.0.1", new_port), "the new port answers")
        check(not answers("127.0.0.1", v.port), "the old port refuses")
        check(title_of(v.proc.pid) == "vigil 127.0.0.1:%d %d" % (new_port, new_port),
              "the title shows the new port: %r" % title_of(v.proc.pid))
        c2 = harness.RespConn(new_port)
        c2.call("CONFIG", "SET", "port", str(v.port))  # back, so stop() finds it
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
