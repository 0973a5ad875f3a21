#!/usr/bin/env python3
"""redis-cli's Lua debugger (--ldb and --ldb-sync-mode) against vigil-datanode and redis-server.

The same debugging session (step, print, list, whole, break, continue, eval, redis, trace,
maxlen, help, a redis.debug() line and a redis.breakpoint() stop) is typed into redis-cli
against both servers, and the transcripts must be identical except for Lua object addresses.
Then what each mode leaves behind: a forked session (--ldb) throws its writes away and its child
process is reaped; a synchronous one (--ldb-sync-mode) keeps them. A debugger client that hangs
up mid-script lets the script finish, and the server serves others afterwards.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SCRIPT = """local total = 0
local t = {1, 'two', {x = true}}
redis.call('set', KEYS[1], ARGV[1])
for i = 1, 3 do
  total = total + i
end
redis.debug('total is', total, t)
redis.breakpoint()
local v = redis.call('get', KEYS[1])
return {v, total}
"""

SESSION = [
    "help", "step", "s", "print", "print t", "print KEYS", "print nothere", "list", "list 5 1",
    "whole", "break 9", "break", "break 99", "break x", "eval total + 100", "eval local q = 1",
    "eval nosuchfunction()", "redis incr counter", "redis hgetall nokey", "redis", "maxlen 10",
    "print t", "maxlen 0", "trace", "nosuchcommand", "continue", "continue", "next", "c",
]


def run_session(port, sync, redis_cli):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(SCRIPT)
        path = f.name
    try:
        args = [redis_cli, "-h", harness.HOST, "-p", str(port),
                "--ldb-sync-mode" if sync else "--ldb", "--eval", path, "dbgkey", ",", "val"]
        out = subprocess.run(args, input="\n".join(SESSION) + "\n", capture_output=True,
                             text=True, timeout=30)
        return out.stdout + out.stderr
    finally:
        os.unlink(path)


def normalized(transcript):
    return re.sub(r"@0x[0-9a-f]+", "@ADDR", transcript)


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return f.read().split()
    except OSError:
        return []


def check_mode(res, vigil_bin, redis_bin, redis_cli, sync):
    mode = "sync" if sync else "forked"
    with harness.start_vigil(vigil_bin) as vigil, harness.start_redis(redis_bin) as redis:
        ours = normalized(run_session(vigil.port, sync, redis_cli))
        theirs = normalized(run_session(redis.port, sync, redis_cli))
        res.check(ours == theirs, "%s: transcript identical to redis-server's" % mode,
                  "\n--- vigil\n%s\n--- redis\n%s" % (ours, theirs))
        res.check("<endsession>" not in ours and "Lua debugging session ended" in ours,
                  "%s: redis-cli saw the session end" % mode, ours[-300:])
        c = harness.Client(vigil.port)
        kept = c.call("GET", "dbgkey")
        want = b"val" if sync else None
        res.check(kept == want, "%s: the script's writes %s" % (
            mode, "stay" if sync else "vanish with the child"), repr(kept))
        deadline = time.monotonic() + 10
        while children_of(vigil.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        res.check(children_of(vigil.proc.pid) == [], "%s: no child process left" % mode,
                  repr(children_of(vigil.proc.pid)))


def check_hang_up(res, vigil_bin):
    with harness.start_vigil(vigil_bin) as vigil:
        dbg = harness.Client(vigil.port, timeout=5)
        res.check(dbg.call("SCRIPT", "DEBUG", "SYNC") == "OK", "hang-up: SCRIPT DEBUG SYNC")
        dbg.send("EVAL", "redis.call('set','after','1')\nreturn 7", "0")
        first = dbg.read()
        res.check("Stopped at 1" in repr(first), "hang-up: stopped at the first line",
                  repr(first))
        dbg.sock.close()
        c = harness.Client(vigil.port)
        deadline = time.monotonic() + 10
        while c.call("GET", "after") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        res.check(c.call("GET", "after") == b"1", "hang-up: the script ran to its end")
        res.check(c.call("PING") == "PONG", "hang-up: the server serves others")
        pipelined = harness.Client(vigil.port, timeout=5)
        pipelined.send_raw(harness.encode_command(["PING"]) * 200 +
                           harness.encode_command(["SCRIPT", "DEBUG", "YES"]))
        replies = [pipelined.read() for _ in range(201)]
        # One write of 2.9 KB arrives in one read: SCRIPT DEBUG finds 200 replies queued.
        res.check("SCRIPT DEBUG must be called outside a pipeline" in str(replies[-1]),
                  "hang-up: SCRIPT DEBUG behind queued replies is refused", repr(replies[-1]))


def main():
    args = harness.parse_args(__doc__)
    harness.require_file(args.vigil, "vigil-datanode")
    redis_bin = harness.require_tool(args.redis_server) if not os.path.isabs(
        args.redis_server) else args.redis_server
    redis_cli = harness.require_tool("redis-cli")
    res = harness.Results(args.verbose)
    for sync in (False, True):
        res.run("mode sync=%s" % sync,
                lambda: check_mode(res, args.vigil, redis_bin, redis_cli, sync))
    res.run("hang-up", lambda: check_hang_up(res, args.vigil))
    res.finish()


if __name__ == "__main__":
    main()
