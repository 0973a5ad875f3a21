#!/usr/bin/env python3
"""Sentinel behaviour Redis's own sentinel suite relies on, each checked against redis-sentinel.

1. A sentinel.conf full of redis-server directives (the suite writes `repl-diskless-sync-delay`,
   `appendonly`, ...) starts, logs each unused directive once, and keeps them across a rewrite;
   a directive neither Redis nor Vigil knows still stops start-up with file and line.
2. COMMAND LIST names the same 72 commands and subcommands as redis-sentinel; COMMAND COUNT 15.
3. `CLIENT KILL USER default SKIPME no` answers the caller (`:N`) before closing it, so a client
   that reconnects does not resend the command on a new, unauthenticated connection.
4. `ACL SETUSER default off` then `on` lets password-less clients in again (the default user keeps
   `nopass`), so peers reconnect after the suite's ACL unit.
5. A relative notification-script path, set at run time and flushed to the config, survives a
   restart: it is resolved inside `dir`, and the rewrite records `dir` as an absolute path.
6. SENTINEL SET's error replies match: a missing script, a lone option, an unknown option; and
   when the config file cannot be written (the suite puts a directory in its place) the sentinel
   answers `ERR Failed to save config file` and keeps running, then saves once the file is back.
"""
import os
import socket
import stat
import subprocess

import sentinel_harness as sh


def raw_call(sock, *args):
    sock.sendall(b"".join([b"*%d\r\n" % len(args)] +
                          [b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args]))
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def check_server_directives(res, args, master):
    extra = "repl-diskless-sync-delay 0\nappendonly no\nslave-read-only yes\n"
    for binary in (args.vigil_sentinel, args.redis_sentinel):
        s = sh.sentinel(binary, [("m", master.port, 1)], extra=extra)
        try:
            s.start()
            res.check(s.call("SENTINEL", "FLUSHCONFIG") == "OK", "%s: flushconfig" % binary)
            with open(s.conf) as f:
                text = f.read()
            res.check("repl-diskless-sync-delay 0" in text,
                      "%s: the rewrite keeps a server directive" % binary, text)
            if binary == args.vigil_sentinel:
                log = s.log_tail(200)
                res.check(log.count("'repl-diskless-sync-delay' has no effect on a sentinel") == 1,
                          "vigil: an unused directive is logged once", log)
        finally:
            s.cleanup()
    s = sh.sentinel(args.vigil_sentinel, [("m", master.port, 1)], extra="frobnicate yes\n")
    try:
        p = subprocess.run([args.vigil_sentinel, s.conf], capture_output=True, text=True,
                           timeout=10)
        res.check(p.returncode != 0 and "sentinel.conf:" in p.stderr and "frobnicate" in p.stderr,
                  "vigil: an unknown directive stops start-up naming file and line", p.stderr)
    finally:
        s.cleanup()


def on_both(args, master, check, extra=""):
    """Runs check(binary, sentinel) on a fresh vigil-sentinel, then on a fresh redis-sentinel."""
    for binary in (args.vigil_sentinel, args.redis_sentinel):
        s = sh.sentinel(binary, [("m", master.port, 1)], extra=extra)
        try:
            s.start()
            check(binary, s)
        finally:
            s.cleanup()


def check_command_list(res, args, master):
    lists = {}

    def check(binary, s):
        lists[binary] = sorted(s.call("COMMAND", "LIST"))
        res.check(s.call("COMMAND", "COUNT") == 15, "%s: COMMAND COUNT 15" % binary)
    on_both(args, master, check)
    vigil, redis = lists[args.vigil_sentinel], lists[args.redis_sentinel]
    res.check(len(vigil) == 72, "vigil: COMMAND LIST has 72 entries", str(len(vigil)))
    res.check(vigil == redis, "COMMAND LIST names what redis-sentinel names",
              str(sorted(set(vigil) ^ set(redis))))


def check_client_kill_self(res, args, master):
    def check(binary, s):
        with socket.create_connection((sh.HOST, s.port), timeout=5) as sock:
            reply = raw_call(sock, "CLIENT", "KILL", "USER", "default", "SKIPME", "no")
            res.check(reply.startswith(b":") and int(reply[1:].split(b"\r\n")[0]) >= 1,
                      "%s: CLIENT KILL of itself answers the count first" % binary, repr(reply))
            res.check(sock.recv(100) == b"", "%s: then the caller is closed" % binary)
    on_both(args, master, check)


def check_default_user_back_on(res, args, master):
    def check(binary, s):
        with socket.create_connection((sh.HOST, s.port), timeout=5) as sock:
            raw_call(sock, "ACL", "SETUSER", "default", "off")
            res.check(sh.call(s.port, "PING") != "PONG",
                      "%s: a new client is refused while default is off" % binary)
            res.check(raw_call(sock, "ACL", "SETUSER", "default", "on") == b"+OK\r\n",
                      "%s: default back on" % binary)
        res.check(sh.call(s.port, "PING") == "PONG",
                  "%s: a new client needs no password once default is on again" % binary)
    on_both(args, master, check)


def check_relative_script(res, args, master):
    s = sh.sentinel(args.vigil_sentinel, [("m", master.port, 1)])
    inner = os.path.join(s.dir, "inner")
    os.makedirs(inner)
    script = os.path.join(s.dir, "notify.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(script, stat.S_IRWXU)
    with open(s.conf) as f:
        text = f.read()
    # `dir` relative to where the sentinel starts, as the upstream harness writes it.
    with open(s.conf, "w") as f:
        f.write(text.replace("dir %s" % s.dir, "dir ./inner") +
                "sentinel deny-scripts-reconfig no\n")
    try:
        s.start()
        res.check(s.call("SENTINEL", "SET", "m", "notification-script", "../notify.sh") == "OK",
                  "relative script accepted at run time")
        s.kill()
        with open(s.conf) as f:
            text = f.read()
        res.check('dir "%s"' % os.path.realpath(inner) in text,
                  "the rewrite records dir as an absolute path", text)
        s.start()  # raises, with the log, when the restart refuses the script
        res.check(s.alive(), "restart with the rewritten relative script path")
    except RuntimeError as e:
        res.check(False, "restart with the rewritten relative script path", str(e))
    finally:
        s.cleanup()


def check_set_errors(res, args, master):
    def check(binary, s):
        extra_ok = s.call("SENTINEL", "SET", "m", "notification-script", "no-such-script.sh")
        res.check(isinstance(extra_ok, sh.RespErr) and
                  extra_ok.startswith("ERR Notification script seems non existing"),
                  "%s: a missing notification script is refused" % binary, repr(extra_ok))
        r = s.call("SENTINEL", "SET", "m", "fakeoption")
        res.check(r == "ERR wrong number of arguments for 'sentinel|set' command",
                  "%s: a lone option is an arity error" % binary, repr(r))
        r = s.call("SENTINEL", "SET", "m", "fakeoption", "fakevalue")
        res.check(r == "ERR Unknown option or number of arguments for SENTINEL SET 'fakeoption'",
                  "%s: an unknown option is named" % binary, repr(r))
        # As in the suite, a notification script runs on the +set event of the failing save.
        script = os.path.join(s.dir, "notify.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(script, stat.S_IRWXU)
        res.check(s.call("SENTINEL", "SET", "m", "notification-script", script) == "OK",
                  "%s: an executable notification script is taken" % binary)
        aside = s.conf + ".bak"
        os.rename(s.conf, aside)
        os.mkdir(s.conf)
        try:
            r = s.call("SENTINEL", "SET", "m", "quorum", "2")
        finally:
            os.rmdir(s.conf)
            os.rename(aside, s.conf)
        res.check(isinstance(r, sh.RespErr) and r.startswith("ERR Failed to save config file"),
                  "%s: a failed save is reported to the client" % binary, repr(r))
        res.check(s.alive() and s.call("PING") == "PONG",
                  "%s: the sentinel keeps running after a failed save" % binary)
        res.check(s.call("SENTINEL", "SET", "m", "quorum", "3") == "OK",
                  "%s: saving works again once the file is back" % binary)
        with open(s.conf) as f:
            text = f.read()
        res.check("sentinel monitor m 127.0.0.1 %d 3" % master.port in text,
                  "%s: the saved file has the new quorum" % binary, text)
    on_both(args, master, check, extra="sentinel deny-scripts-reconfig no\n")


def main():
    args = sh.parse_args(__doc__)
    res = sh.Results()
    master = sh.data_node(args.vigil)
    try:
        master.start()
        check_server_directives(res, args, master)
        check_command_list(res, args, master)
        check_client_kill_self(res, args, master)
        check_default_user_back_on(res, args, master)
        check_relative_script(res, args, master)
        check_set_errors(res, args, master)
    finally:
        master.cleanup()
    res.finish()


if __name__ == "__main__":
    main()
