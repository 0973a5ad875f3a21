#!/usr/bin/env python3
"""The README's first command, scripts/demo.sh, runs end to end (with VIGIL_DEMO_SKIP_BUILD=1 and
the binaries of this build): exit 0, a +switch-master in the timeline, 0 writes sent to a
replica, 0 acknowledged writes lost, the old master back as a replica, and no process left.
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness as h  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--bin-dir", required=True)
    args = ap.parse_args()
    res = h.Results()
    env = dict(os.environ, VIGIL_DEMO_SKIP_BUILD="1", VIGIL_BIN_DIR=os.path.abspath(args.bin_dir))
    t0 = time.monotonic()
    p = subprocess.run(["bash", os.path.join(args.source_dir, "scripts", "demo.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=120)
    took = time.monotonic() - t0
    out = p.stdout.decode(errors="replace")
    print(out)
    res.check(p.returncode == 0, "demo.sh exits 0", "exit %d" % p.returncode)
    res.check("+switch-master" in out, "the timeline shows +switch-master")
    for ev in ("+sdown", "+odown", "+elected-leader"):
        res.check(ev in out, "the timeline shows %s" % ev)
    res.check("acknowledged writes lost (read back from the new master): 0" in out,
              "the demo reports 0 acknowledged writes lost")
    res.check("writes sent to a replica: 0" in out, "the demo reports 0 writes sent to a replica")
    res.check("master_link_status:up" in out and "role:slave" in out,
              "the restarted old master is shown as a linked replica")
    res.check(took < 60, "the demo takes under a minute", "%.1f s" % took)
    left = subprocess.run(["pgrep", "-f", os.path.abspath(args.bin_dir) + "/vigil-"],
                          stdout=subprocess.PIPE).stdout.decode().split()
    # Other tests may run in parallel with their own processes from the same build: only the
    # demo's temp dirs identify its processes, and they are gone once it exits.
    demo_left = []
    for pid in left:
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if b"/tmp/tmp." in f.read():
                    demo_left.append(pid)
        except OSError:
            pass  # exited meanwhile
    res.check(not demo_left, "the demo leaves no process behind", repr(demo_left))
    res.finish()


if __name__ == "__main__":
    main()
