#!/usr/bin/env python3
"""Fencing proof 1: SIGSTOP the master for 8 s while a client keeps writing straight to its
address. The sentinels promote a replica meanwhile. After SIGCONT the old master acknowledges
no write (the loop-stall fence refuses what was queued, then the sentinels demote it), and every
write it acknowledged before the pause is on the new master.
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh


def scenario(args, res, cluster):
    old = cluster.master
    writer = cluster.writer(old.port)
    res.check(writer.wait_flowing(2.0), "the writer writes to the master")
    t_stop = time.monotonic()
    fh.stop(old)
    promoted = sh.wait_for(lambda: cluster.current_master_port() not in (None, old.port), 8.0)
    # Keep the pause at 8 s whatever the failover took.
    time.sleep(max(0.0, 8.0 - (time.monotonic() - t_stop)))
    t_cont = time.monotonic()
    fh.cont(old)
    res.check(promoted, "sentinels promote a replica during the 8 s pause")
    new_port = cluster.current_master_port()
    demoted = sh.wait_for(lambda: sh.info_field(old.port, "role") == "slave", 20.0)
    res.check(demoted, "the old master is demoted after it resumes")
    t_demoted = time.monotonic()
    # Until the writer meets the demoted master's READONLY (checked below).
    sh.wait_for(lambda: any(t > t_demoted and e.startswith("READONLY")
                            for t, e in writer.snapshot()[1]), 10.0)
    writer.finish()
    acked, errors = writer.snapshot()
    if args.verbose:
        print("acked=%d errors=%d timeouts=%d new master port=%s" %
              (len(acked), len(errors), writer.timeouts, new_port))
    res.check(len([a for a in acked if a[0] < t_stop]) > 200,
              "the old master acknowledged writes before the pause",
              "%d acked" % len(acked))
    after = [a for a in acked if a[0] > t_cont]
    res.check(not after, "no write acknowledged by the old master after SIGCONT",
              "%d acked after resume, first %r" % (len(after), after[:3]))
    refused = [e for e in errors if e[0] > t_cont and e[1].startswith("READONLY")]
    res.check(refused, "writes after SIGCONT are refused with READONLY",
              "errors: %r" % errors[-3:])
    log = fh.log_text(old)
    res.check("+fence cause=loop-stalled" in log,
              "the old master raised its fence on the stall (not only on demotion)",
              "\n".join(l for l in log.splitlines() if "fence" in l)[-2000:])
    if new_port is not None and new_port != old.port:
        keys = [k for _, k in acked]
        sh.wait_for(lambda: not fh.missing_keys(new_port, keys), 10.0)
        missing = fh.missing_keys(new_port, keys)
        res.check(not missing, "every acknowledged key is on the new master",
                  "%d of %d missing, e.g. %r" % (len(missing), len(keys), missing[:5]))
        print("measured: fence %d ms, %d writes acknowledged in all, %d by the old master "
              "after SIGCONT, %d acknowledged keys missing on the new master" %
              (args.fence_ms, len(keys), len(after), len(missing)))
    else:
        res.check(False, "a new master is known to the sentinels")


def main():
    return fh.run(__doc__, scenario, "cluster ready: replicas linked, 3 sentinels known")


if __name__ == "__main__":
    sys.exit(main())
