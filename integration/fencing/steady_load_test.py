#!/usr/bin/env python3
"""Fencing proof 4: no false positives. A healthy 3 + 3 cluster under a steady write load of
200 writes/s for 30 s: the fence never rises on the master and no write is refused.
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh

LOAD_S = 30.0


def scenario(args, res, cluster):
    master = cluster.master
    writer = cluster.writer(master.port, timeout=2.0)
    time.sleep(LOAD_S)
    writer.finish()
    acked, errors = writer.snapshot()
    if args.verbose:
        print("acked=%d errors=%d" % (len(acked), len(errors)))
    res.check(len(acked) > LOAD_S * 100, "the load ran (over 100 acknowledged writes/s)",
              "%d acknowledged" % len(acked))
    res.check(not errors, "no write refused under steady load", repr(errors[:3]))
    res.check(sh.info_field(master.port, "fenced") == "0", "INFO shows fenced:0")
    res.check(sh.info_field(master.port, "fence_sentinels_reached") == "3",
              "all 3 sentinels reached the master within the timeout")
    res.check("+fence" not in fh.log_text(master), "the fence never rose")
    res.check(cluster.current_master_port() == master.port, "no failover took place")


def main():
    return fh.run(__doc__, scenario, "cluster ready: replicas linked, 3 sentinels known")


if __name__ == "__main__":
    sys.exit(main())
