#!/usr/bin/env python3
"""Fencing with Redis 7.0's own sentinels: three redis-sentinel processes (one PING a second)
monitoring a vigil-datanode master with sentinel-fence-timeout 2000. The master learns all three
from their hellos and connection names, and a healthy fleet never fences it (12 s of writes).
"""

import shutil
import sys
import time

import fence_harness as fh
from fence_harness import sh


def main():
    args = fh.parse_args(__doc__)
    res = sh.Results()
    redis_sentinel = shutil.which("redis-sentinel")
    if not res.check(redis_sentinel is not None, "redis-sentinel 7.0 is installed"):
        return res.finish()
    procs = []
    writer = None
    try:
        master = sh.data_node(args.vigil, extra=["--sentinel-fence-timeout", "2000"])
        procs.append(master)
        master.start()
        for _ in range(3):
            s = sh.sentinel(redis_sentinel, [(fh.NAME, master.port, 2)], down_after=5000)
            procs.append(s)
            s.start()
        known = sh.wait_for(
            lambda: sh.info_field(master.port, "fence_sentinels_known") == "3", 20)
        res.check(known, "the master learns the 3 redis-sentinels from their hellos")
        writer = fh.Writer(master.port, rate=100, timeout=2.0).start()
        time.sleep(12.0)
        writer.finish()
        acked, errors = writer.snapshot()
        res.check(len(acked) > 600 and not errors, "no write refused in a healthy fleet",
                  "%d acked, errors %r" % (len(acked), errors[:3]))
        res.check(sh.info_field(master.port, "fence_sentinels_reached") == "3",
                  "all 3 redis-sentinels reach the master within the timeout")
        res.check("+fence" not in fh.log_text(master), "the fence never rose")
    finally:
        if writer is not None:
            writer.finish()
        for p in procs:
            p.cleanup()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
