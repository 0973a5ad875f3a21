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
    res.check("%s: master starts" % how, m.wait_ready())
    c = ah.Client(m.port)
    c.call("SET", "before", "1")
    c.close()
    if how == "sigkill":
        m.kill()
    else:
        m.shutdown()
    m = ah.Proc("vigil", m.argv, m.port, mdir, m.log_path)  # same port, same files
    procs.append(m)
    res.check("%s: master restarts from its AOF" % how, m.wait_ready())
    r = ah.start_vigil(args.vigil, rdir, "--save", "", "--replicaof", "127.0.0.1", m.port)
    procs.append(r)
    res.check("%s: replica starts" % how, r.wait_ready())

    def replica_get(key):
        rc = ah.Client(r.port)
        try:
            return rc.call("GET", key)
        finally:
            rc.close()
    res.check("%s: replica receives the loaded data" % how,
              ah.wait_until(lambda: replica_get("before") == b"1", 15))
    c = ah.Client(m.port)
    c.call("SET", "after", "2")
    acked = c.call("WAIT", 1, 5000)
    c.close()
    res.check("%s: WAIT counts the replica" % how, acked == 1, "WAIT returned %r" % acked)
    res.check("%s: a write after the restart reaches the replica" % how,
              ah.wait_until(lambda: replica_get("after") == b"2", 10))


try:
    restart_then_replicate("sigkill")
    restart_then_replicate("shutdown")
finally:
    for p in procs:
        p.kill()
    dirs.cleanup()
res.finish()
