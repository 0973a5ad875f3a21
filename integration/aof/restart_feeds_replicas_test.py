#!/usr/bin/env python3
"""A data node restarted from its AOF still feeds the replicas that attach to it afterwards.

Found by the chaos suite: after loading an existing AOF, the AOF writer replaced the replicas'
write feed instead of joining it, so a node that was killed, restarted with its data and later
promoted acknowledged writes (and WAITs satisfied before the restart) that never reached its
replicas. Checked for a SIGKILL restart and a clean SHUTDOWN restart.
"""

import aof_harness as ah

args = ah.parse_args(__doc__)
res = ah.Results(args.verbose)
dirs = ah.TempDirs()
procs = []


def restart_then_replicate(how):
    mdir, rdir = dirs.new("master-" + how), dirs.new("replica-" + how)
    m = ah.start_vigil(args.vigil, mdir, "--appendonly", "yes", "--save", "")
    procs.append(m)
    res.check(m.wait_ready(), "%s: master starts" % how)
    c = ah.Client(m.port)
    c.cmd("SET", "before", "1")
    c.close()
    if how == "sigkill":
        m.kill()
    else:
        m.shutdown()
    m = ah.start_vigil(args.vigil, mdir, "--appendonly", "yes", "--save", "",  # same files
                       log_name="restart.log")
    procs.append(m)
    res.check(m.wait_ready(), "%s: master restarts from its AOF" % how)
    r = ah.start_vigil(args.vigil, rdir, "--save", "", "--replicaof", "127.0.0.1", m.port)
    procs.append(r)
    res.check(r.wait_ready(), "%s: replica starts" % how)

    def replica_get(key):
        rc = ah.Client(r.port)
        try:
            return rc.cmd("GET", key)
        finally:
            rc.close()
    res.check(ah.wait_until(lambda: replica_get("before") == b"1", 15),
              "%s: replica receives the loaded data" % how)
    c = ah.Client(m.port)
    c.cmd("SET", "after", "2")
    acked = c.cmd("WAIT", 1, 5000)
    c.close()
    res.check(acked == 1, "%s: WAIT counts the replica" % how, "WAIT returned %r" % acked)
    res.check(ah.wait_until(lambda: replica_get("after") == b"2", 10),
              "%s: a write after the restart reaches the replica" % how)


try:
    restart_then_replicate("sigkill")
    restart_then_replicate("shutdown")
finally:
    for p in procs:
        p.kill()
    dirs.cleanup()
res.finish()
