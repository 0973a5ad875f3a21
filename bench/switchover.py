"""Driver of bench/switchover.sh (see there for what is measured)."""
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.environ["ROOT"], "integration", "switchover"))
import switchover_rig as rig  # noqa: E402

sh = rig.sh
ITER = int(os.environ["ITER"])
BUILD = os.environ["BUILD"]
VIGIL = (os.path.join(BUILD, "bin", "vigil-datanode"), os.path.join(BUILD, "bin", "vigil-sentinel"))
REDIS = (shutil.which("redis-server"), shutil.which("redis-sentinel"))


class RoleWriter(rig.Writer):
    """Writes to whichever node reports role:master (for FAILOVER without sentinels)."""

    def __init__(self, node_ports, **kw):
        super().__init__([], **kw)
        self.node_ports = node_ports

    def _resolve(self):
        for p in self.node_ports:
            try:
                if sh.info_field(p, "role") == "master":
                    return p
            except (OSError, ConnectionError, sh.h.RespError):
                continue
        return None


def follows(port, master):
    return (sh.info_field(port, "role") == "slave"
            and sh.info_field(port, "master_port") == str(master)
            and sh.info_field(port, "master_link_status") == "up")


def one(g, variant):
    if variant.endswith("FAILOVER"):
        old = next(n.port for n in g.nodes if sh.info_field(n.port, "role") == "master")
    else:
        old = g.master_port()
    if variant.endswith("FAILOVER"):
        w = RoleWriter([n.port for n in g.nodes], follow_period=0.1).start()
    else:
        w = rig.Writer([s.port for s in g.sentinels], follow_period=0.1).start()
    try:
        time.sleep(1.0)
        t0 = time.monotonic()
        if variant.endswith("FAILOVER"):
            target = next(n.port for n in g.nodes if n.port != old)
            sh.call(old, "FAILOVER", "TO", sh.HOST, str(target), "TIMEOUT", "5000")
            ok = sh.wait_for(lambda: sh.info_field(target, "role") == "master", 15, step=0.01)
            new = target if ok else None
        else:
            args = ["SENTINEL", "FAILOVER", rig.NAME]
            if "COORDINATED" in variant:
                args.append("COORDINATED")
            reply = sh.call(g.sentinels[0].port, *args)
            if reply != "OK":
                raise RuntimeError("%s: %r" % (variant, reply))
            new = g.wait_switched_from(old, 20)
        if new is None:
            raise RuntimeError(variant + ": no switch")
        # Lost writes are final once the old master follows the new one.
        if not sh.wait_for(lambda: follows(old, new), 40, step=0.05):
            raise RuntimeError(variant + ": old master never followed")
        time.sleep(0.5)
    finally:
        w.stop()
    pause = w.longest_gap(since=t0 - 0.5)
    lost = len(w.missing_on(new))
    # Wait until every node follows the new master, so the next run starts clean.
    for n in g.nodes:
        if n.port != new:
            sh.wait_for(lambda: follows(n.port, new), 30, step=0.05)
    return pause, lost


def run(variant, bins, n):
    pauses, losts = [], []
    g = rig.Group(bins[0], None if variant.endswith("FAILOVER") else bins[1])
    try:
        for _ in range(n):
            p, l = one(g, variant)
            pauses.append(p)
            losts.append(l)
            print("  %s: pause %.0f ms, lost %d" % (variant, p, l), file=sys.stderr)
            time.sleep(1.0)
    finally:
        g.cleanup()
    return pauses, losts


def main():
    rows = []
    for variant, bins in (("vigil COORDINATED", VIGIL), ("vigil plain", VIGIL),
                          ("redis plain", REDIS), ("vigil FAILOVER", VIGIL),
                          ("redis FAILOVER", REDIS)):
        pauses, losts = run(variant, bins, ITER)
        rows.append((variant, statistics.median(pauses), max(pauses), statistics.median(losts),
                     max(losts)))
    print("| variant | median pause (ms) | max pause (ms) | median lost acked writes | max lost |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for v, mp, xp, ml, xl in rows:
        print("| %s | %.0f | %.0f | %d | %d |" % (v, mp, xp, ml, xl))


main()
