#!/usr/bin/env python3
"""Fencing proof 3: a master with sentinel-fence-timeout set but no sentinel monitoring it never
fences, not even after a stall longer than the timeout (SIGSTOP 2 s).
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh


def scenario(args, res, cluster):
    master = cluster.master
    writer = cluster.writer(master.port, timeout=3.0)
    res.check(writer.wait_flowing(1.5), "the writer writes to the master")
    fh.stop(master)
    time.sleep(2.0)
    t_cont = time.monotonic()
    fh.cont(master)
    time.sleep(2.0)  # a fence raised on the stall would refuse the writes of these seconds
    writer.finish()
    acked, errors = writer.snapshot()
    res.check(not errors, "no write is refused", repr(errors[:3]))
    res.check(any(t > t_cont for t, _ in acked), "writes are acknowledged after the stall")
    res.check(sh.info_field(master.port, "fenced") == "0", "INFO shows fenced:0")
    res.check(sh.info_field(master.port, "fence_sentinels_known") == "0",
              "INFO shows fence_sentinels_known:0")
    res.check("+fence" not in fh.log_text(master), "the master never logged a fence")


def main():
    return fh.run(__doc__, scenario, "replicas linked; no sentinel known", sentinels=0)


if __name__ == "__main__":
    sys.exit(main())
