#!/usr/bin/env python3
"""Fencing proof 5: turning the fence on at run time does not refuse writes. The cluster starts
with sentinel-fence-timeout 0; `CONFIG SET sentinel-fence-timeout 1000` on a live master whose
sentinels still PING it once a second (they learn the timeout from their next INFO, up to 10 s
later) must not read those 1 s gaps as lost sentinels. The fence reports fence_armed:0 during
the grace, then arms, and then works: SIGSTOP of every sentinel raises it.
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh

RUNTIME_FENCE_MS = 1000
WATCH_S = 13.0  # the 11 s grace and then some, with the sentinels' INFO-driven PING pace


def scenario(args, res, cluster):
    master = cluster.master
    writer = cluster.writer(master.port)
    res.check(writer.wait_flowing(1.0), "the writer writes to the master")
    for n in cluster.nodes():
        sh.call(n.port, "CONFIG", "SET", "sentinel-fence-timeout", str(RUNTIME_FENCE_MS))
    t_set = time.monotonic()
    res.check(sh.info_field(master.port, "fence_armed") == "0",
              "fence_armed:0 right after CONFIG SET")
    armed = sh.wait_for(lambda: sh.info_field(master.port, "fence_armed") == "1", 20.0)
    t_armed = time.monotonic()
    res.check(armed, "the fence arms within 20 s",
              "after %.1f s" % (t_armed - t_set))
    time.sleep(max(0.0, WATCH_S - (time.monotonic() - t_set)))
    acked, errors = writer.snapshot()
    res.check(not errors, "no write refused while the sentinels learn the timeout",
              "%d errors, first %r" % (len(errors), errors[:2]))
    res.check(any(t > t_armed for t, _ in acked), "writes acknowledged after the fence armed")
    res.check(sh.info_field(master.port, "fenced") == "0", "INFO shows fenced:0")

    # Armed means live: with every sentinel stopped the fence rises within its timeout.
    for s in cluster.sentinels:
        fh.stop(s)
    fenced = sh.wait_for(lambda: sh.info_field(master.port, "fenced") == "1", 4.0)
    for s in cluster.sentinels:
        fh.cont(s)
    res.check(fenced, "the armed fence rises when the sentinels stop")
    lifted = sh.wait_for(lambda: sh.info_field(master.port, "fenced") == "0", 15.0)
    res.check(lifted, "and lifts once they are back")
    print("armed %.1f s after CONFIG SET; %d writes acknowledged" % (t_armed - t_set,
                                                                     len(acked)))


def main():
    return fh.run(__doc__, scenario, "cluster ready with the fence off", fence_ms=0)


if __name__ == "__main__":
    sys.exit(main())
