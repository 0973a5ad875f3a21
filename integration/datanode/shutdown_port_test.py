#!/usr/bin/env python3
"""A client that saw SHUTDOWN close its connection is refused, not reset, when it reconnects.

Redis closes its listening sockets before it exits; without that the kernel may release the
client sockets of the exiting process before the listener, and a reconnect in that window is
accepted and then reset (Redis's own test "SHUTDOWN NOSAVE can kill a timedout script anyway"
checks exactly this). Checked for a plain SHUTDOWN NOSAVE, for one sent while a script is busy,
and for a SHUTDOWN with a fork child (BGSAVE) still running, each several times since the
window is a race.
"""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROUNDS = 5


def reconnect_after_shutdown(port, sock):
    """Send SHUTDOWN NOSAVE on `sock`, wait for EOF, reconnect at once: 'refused' or what else."""
    sock.sendall(harness.encode_command(["SHUTDOWN", "NOSAVE"]))
    sock.settimeout(10)
    while sock.recv(4096):
        pass
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
    except ConnectionRefusedError:
        return "refused"
    try:
        c.sendall(harness.encode_command(["PING"]))
        c.settimeout(5)
        return "answered %r" % c.recv(100)
    except OSError as e:
        return "accepted then %s" % type(e).__name__
    finally:
        c.close()


def one_round(res, vigil_bin, mode):
    srv = harness.start_vigil(vigil_bin, ["--busy-reply-threshold", "10"])
    try:
        c = harness.Client(srv.port)
        if mode == "busy script":
            c.cmd("SET", "k", "v")
            spinner = harness.RespConn(srv.port, timeout=5)
            spinner.send("EVAL", "redis.call('set', KEYS[1], 'y') while true do end", "1", "x")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                reply = c.call("PING")
                if isinstance(reply, harness.RespError) and str(reply).startswith("BUSY"):
                    break
                time.sleep(0.02)
        elif mode == "fork child":
            c.cmd("CONFIG", "SET", "rdb-key-save-delay", "100000")
            c.cmd("SET", "k", "v")
            c.cmd("BGSAVE")
        outcome = reconnect_after_shutdown(srv.port, c.sock)
        res.check(outcome == "refused", "%s: reconnect after SHUTDOWN NOSAVE" % mode, outcome)
        res.check(srv.wait_exit(10) is not None, "%s: server exited" % mode)
    finally:
        srv.stop()


def main():
    args = harness.parse_args(__doc__)
    harness.require_file(args.vigil, "vigil-datanode")
    res = harness.Results(args.verbose)
    for mode in ("plain", "busy script", "fork child"):
        for _ in range(ROUNDS):
            res.run(mode, lambda: one_round(res, args.vigil, mode))
    res.finish()


if __name__ == "__main__":
    main()
