#!/usr/bin/env python3
"""Fencing across a restart: a master killed with SIGKILL and restarted remembers its sentinels
(sentinel-fence.state in its dir, written when they change). Restarted while none of them can
reach it (all three SIGSTOPped), it refuses writes from its first one, fenced with cause
"restarted". A master that forgot them would know no sentinel and take writes, which a failover
by the sentinels it has not heard again would discard. After SIGCONT the sentinels, still naming
it master, lift the fence and writes work again, with no failover.
"""

import os
import sys
import time

import fence_harness as fh
from fence_harness import sh


def scenario(args, res, cluster):
    master = cluster.master
    state = os.path.join(master.dir, "sentinel-fence.state")

    def written():
        try:
            with open(state) as f:
                return f.read().count("\nsentinel ") == len(cluster.sentinels)
        except OSError:
            return False
    res.check(sh.wait_for(written, 5.0), "the master wrote its 3 sentinels to sentinel-fence.state")
    res.check(sh.call(master.port, "SET", "before", "1") == "OK", "writes work before the kill")
    for s in cluster.sentinels:
        fh.stop(s)
    master.kill()
    master.start()
    reply = sh.call(master.port, "SET", "after-restart", "1")
    res.check(isinstance(reply, sh.RespErr) and reply.startswith(
        "READONLY You can't write against a fenced master"),
        "the restarted master refuses writes while no sentinel reaches it", repr(reply))
    res.check(sh.info_field(master.port, "fence_cause") == "restarted" and
              sh.info_field(master.port, "fence_sentinels_known") == "3",
              "INFO shows the fence up for the restart, with the 3 sentinels known")
    # (the test's nodes persist nothing, so the key written before the kill is gone)
    read = sh.call(master.port, "GET", "before")
    res.check(not isinstance(read, sh.RespErr), "reads are served meanwhile", repr(read))
    t_cont = time.monotonic()
    for s in cluster.sentinels:
        fh.cont(s)

    def writable():
        return sh.call(master.port, "SET", "after-lift", "1") == "OK"
    lifted = sh.wait_for(writable, 15.0, step=0.1)
    res.check(lifted, "writes are acknowledged again within 15 s of SIGCONT",
              "after %.2f s" % (time.monotonic() - t_cont))
    res.check(cluster.current_master_port() == master.port, "no failover took place")
    res.check("+fence cause=restarted" in fh.log_text(master), "the master logs why it is fenced")
    print("measured: writes again %.2f s after the sentinels resumed" %
          (time.monotonic() - t_cont))


def main():
    return fh.run(__doc__, scenario, "cluster ready: replicas linked, 3 sentinels known")


if __name__ == "__main__":
    sys.exit(main())
