#!/usr/bin/env python3
"""Fencing proof 2: SIGSTOP all three sentinels for 4 s. The master, reached by none of them,
raises its fence within the documented window (sentinel-fence-timeout after the last contact);
after SIGCONT the sentinels, still naming it master in their hellos, lift the fence and writes
work again. Prints the measured windows.
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh

PAUSE_S = 4.0


def scenario(args, res, cluster):
    master = cluster.master
    writer = cluster.writer(master.port)
    res.check(writer.wait_flowing(2.0), "the writer writes to the master")
    t_stop = time.monotonic()
    for s in cluster.sentinels:
        fh.stop(s)
    fenced_seen = sh.wait_for(lambda: sh.info_field(master.port, "fenced") == "1", PAUSE_S)
    time.sleep(max(0.0, PAUSE_S - (time.monotonic() - t_stop)))
    t_cont = time.monotonic()
    for s in cluster.sentinels:
        fh.cont(s)
    lifted = sh.wait_for(lambda: sh.info_field(master.port, "fenced") == "0", 15.0)
    time.sleep(1.5)  # writes after the lift: the last second of them must all succeed
    writer.finish()
    acked, errors = writer.snapshot()

    res.check(fenced_seen, "INFO shows fenced:1 while no sentinel reaches the master")
    refusals = [t for t, e in errors if e.startswith("READONLY") and t_stop < t < t_cont]
    first_refusal = refusals[0] - t_stop if refusals else None
    last_ack_in_pause = max([t for t, _ in acked if t_stop < t < t_cont] or [t_stop]) - t_stop
    # The window is (timeout - one ping period, timeout] after the sentinels went quiet;
    # 2 s allows for a loaded machine.
    res.check(first_refusal is not None and first_refusal <= 2.0,
              "the master refuses writes within 2 s of losing every sentinel",
              "first refusal after %s s" % first_refusal)
    res.check(last_ack_in_pause <= 2.0, "no write acknowledged 2 s after the sentinels stopped",
              "last ack %.3f s after" % last_ack_in_pause)
    res.check(lifted, "the fence lifts after the sentinels resume")
    resumed = [t for t, _ in acked if t > t_cont]
    lift_after = (resumed[0] - t_cont) if resumed else None
    res.check(lift_after is not None and lift_after <= 10.0,
              "writes are acknowledged again within 10 s of SIGCONT",
              "first ack after %s s" % lift_after)
    tail_errors = [e for t, e in errors if t > time.monotonic() - 1.0]
    res.check(not tail_errors, "writes keep working after the lift", repr(tail_errors[:3]))
    res.check(cluster.current_master_port() == master.port, "no failover took place")
    log = fh.log_text(master)
    res.check("+fence cause=sentinels-lost" in log and "-fence" in log,
              "the master logs the fence and its lift")
    print("measured: first refusal %.3f s after the sentinels stopped, last ack %.3f s after, "
          "writes again %.3f s after they resumed" %
          (first_refusal or -1, last_ack_in_pause, lift_after or -1))


def main():
    return fh.run(__doc__, scenario, "cluster ready: replicas linked, 3 sentinels known")


if __name__ == "__main__":
    sys.exit(main())
