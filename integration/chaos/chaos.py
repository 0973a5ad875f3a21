#!/usr/bin/env python3
"""The chaos suite: seeded fault rounds against 3 data nodes and 3 or 5 sentinels, with a
writer recording every acknowledged write, and a checker after every heal.

Usually started through run.sh (which also removes whatever a killed run left behind):
  integration/chaos/run.sh --rounds 14 --seed 1 [--scenario NAME[,NAME]] [--redis|--compare]
Exit code: 0 when every round converged with one master and no WAIT-acknowledged write was
lost; 1 on any violation; 2 when the group could not be set up.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

for _d in ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"):
    if os.path.isdir(os.path.join(_d, "redis")) and _d not in sys.path:
        sys.path.append(_d)

import redis  # noqa: E402

import checker  # noqa: E402
import cluster as cl  # noqa: E402
import faults  # noqa: E402
import report  # noqa: E402
import schedule  # noqa: E402
import topology  # noqa: E402
import workload  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rounds", type=int, default=14)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scenario", default="", help="comma-separated scenario names (default: all, "
                   "seeded order); known: " + ", ".join(faults.BY_NAME))
    p.add_argument("--redis", action="store_true", help="run against redis-server + redis-sentinel")
    p.add_argument("--compare", action="store_true", help="run Vigil, then Redis 7.0, same seed")
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="build dir with bin/")
    p.add_argument("--vigil-datanode", default="", help="default: <build>/bin/vigil-datanode")
    p.add_argument("--vigil-sentinel", default="", help="default: <build>/bin/vigil-sentinel")
    p.add_argument("--writer", default="", help="a vigil-writer binary; default: "
                   "<build>/bin/vigil-writer when built, else py_writer.py")
    p.add_argument("--sentinels", type=int, choices=(3, 5), default=3)
    p.add_argument("--hold", type=float, default=8.0, help="seconds a pause/partition/kill lasts")
    p.add_argument("--rate", type=float, default=200, help="plain writes per second")
    p.add_argument("--wait-rate", type=float, default=40, help="SET+WAIT writes per second")
    p.add_argument("--down-after-ms", type=int, default=1000)
    p.add_argument("--diskless-delay", type=int, default=0,
                   help="repl-diskless-sync-delay of the data nodes (Redis's default is 5: a "
                   "full resync then waits 5 s, which shows in the convergence time)")
    p.add_argument("--failover-timeout-ms", type=int, default=5000)
    p.add_argument("--converge-timeout", type=float, default=60.0)
    p.add_argument("--converge-bound", type=float, default=0.0,
                   help="a round converging later than this many seconds after its heal is a "
                   "violation (0: only --converge-timeout applies)")
    p.add_argument("--fencing", choices=("auto", "on", "off"), default="auto",
                   help="data-node fencing (sentinel-fence-timeout): auto = on when supported")
    p.add_argument("--fence-timeout-ms", type=int, default=800)
    p.add_argument("--loopback", action="store_true", help="force the reduced loopback mode")
    p.add_argument("--run-id", type=int, default=os.getpid())
    p.add_argument("--keep", action="store_true", help="keep the work dir (logs, ack logs)")
    p.add_argument("--json", default="", help="also write every round's figures to this file")
    return p.parse_args(argv)


def system_binaries(args, system):
    if system == "redis":
        return shutil.which("redis-server"), shutil.which("redis-sentinel")
    b = os.path.join(args.build, "bin")
    return (args.vigil_datanode or os.path.join(b, "vigil-datanode"),
            args.vigil_sentinel or os.path.join(b, "vigil-sentinel"))


class Run:
    """One system's rounds: topology, group, schedule, results."""

    def __init__(self, args, system, workdir):
        self.args = args
        self.system = system
        self.workdir = workdir
        self.topo = None
        self.cluster = None
        self.results = []
        self.violations = []
        self.all_acks = []  # acks found present at their round's check (re-checked at the end)
        self.coordinated = None
        self.fencing = "off"
        self.lost_later = 0
        self.writer_argv, self.writer_name = workload.writer_command(args.build, args.writer)

    def host_names(self):
        return (["n1", "n2", "n3"] + ["s%d" % i for i in range(1, self.args.sentinels + 1)]
                + ["client"])

    def setup(self):
        ids = self.args.run_id * 2 + (1 if self.system == "redis" else 0)
        use_ns = not self.args.loopback and topology.netns_permitted()
        cls = topology.NetnsTopology if use_ns else topology.LoopbackTopology
        self.topo = cls(ids, self.host_names()).create()
        self.start_group()

    def start_group(self):
        node_bin, sentinel_bin = system_binaries(self.args, self.system)
        for b in (node_bin, sentinel_bin):
            if not b or not os.access(b, os.X_OK):
                raise RuntimeError("binary not found: %s" % b)
        gdir = tempfile.mkdtemp(prefix="group-", dir=self.workdir)
        self.cluster = cl.Cluster(self.topo, gdir, self.system, node_bin, sentinel_bin,
                                  self.args.sentinels, self.args.down_after_ms,
                                  self.args.failover_timeout_ms, self.args.diskless_delay)
        self.cluster.start()
        self.all_acks = []
        supported = self.cluster.supports_fencing()
        if self.args.fencing == "on" and not supported:
            raise RuntimeError("--fencing on, but the data node has no sentinel-fence-timeout")
        if supported and self.args.fencing != "off":
            self.cluster.enable_fencing(self.args.fence_timeout_ms)
            for n in self.cluster.nodes:
                n.call("CONFIG", "REWRITE")
            self.fencing = "on (sentinel-fence-timeout %d ms)" % self.args.fence_timeout_ms
        else:
            self.fencing = "off" if supported else "unsupported by this data node"

    def teardown(self):
        if self.cluster is not None:
            self.cluster.stop()
        if self.topo is not None:
            self.topo.destroy()

    def header(self):
        return ("system=%s mode=%s sentinels=%d writer=%s fencing=%s hold=%.1fs rate=%g+%g/s "
                "down-after=%dms diskless-delay=%ds seed=%d" % (
                    self.system, self.topo.mode, self.args.sentinels, self.writer_name,
                    self.fencing, self.args.hold, self.args.rate, self.args.wait_rate,
                    self.args.down_after_ms, self.args.diskless_delay, self.args.seed))

    def healthy_master(self):
        """Brings the group back to converged before a round; rebuilds it when that fails."""
        self.cluster.ensure_running()
        ok, _, master, why = checker.wait_converged(self.cluster, 30)
        if ok:
            return master, self.wait_fence_armed(master)
        note = "group rebuilt before the round (%s)" % why
        self.cluster.stop()
        self.start_group()
        ok, _, master, why = checker.wait_converged(self.cluster, 30)
        if not ok:
            raise RuntimeError("a fresh group does not converge: %s\n%s" % (why, self.cluster.logs()))
        armed_note = self.wait_fence_armed(master)
        return master, note + ("; " + armed_note if armed_note else "")

    def wait_fence_armed(self, master, timeout=20.0):
        """With fencing on, a master fences only against sentinels it has learned from their
        hellos (one every 2 s each), and not during the ~11 s grace after the timeout was set at
        runtime (fence_armed:0 until the sentinels' INFO shows it). A fresh group's master may
        not be there yet; a deployed one always is, so a round starts only once it knows every
        live sentinel and its fence is armed."""
        if not self.fencing.startswith("on"):
            return None
        want = sum(1 for s in self.cluster.sentinels if s.alive() and not s.paused)
        deadline = time.time() + timeout
        known, armed = -1, "0"
        while time.time() < deadline:
            try:
                info = self.cluster.info(master)
                known = int(info.get("fence_sentinels_known", -1))
                armed = str(info.get("fence_armed", "1"))
            except (redis.RedisError, OSError, ValueError):
                known = -1
            if known >= want and armed == "1":
                return None
            time.sleep(0.1)
        return "master knew %d of %d sentinels for fencing at the start (fence_armed:%s)" % (
            max(known, 0), want, armed)

    def one_round(self, round_no, fault_cls):
        a = self.args
        rng = schedule.round_rng(a.seed, round_no)
        master, rebuild_note = self.healthy_master()
        fault = fault_cls()
        hold = fault.hold_s if fault.hold_s is not None else a.hold
        client = self.topo.host("client")
        rd = faults.Round(self.cluster, self.topo, master, client, rng, self.coordinated)
        if rebuild_note:
            rd.notes.append(rebuild_note)
        sentinel_addrs = [s.addr for s in self.cluster.sentinels]
        wl = workload.Workload(self.writer_argv, self.topo, client, sentinel_addrs,
                               cl.MASTER_NAME, self.cluster.workdir, round_no, a.rate,
                               a.wait_rate, len(self.cluster.nodes) // 2,
                               hold + a.converge_timeout + 60)
        watch = None
        syncs_before = checker.full_sync_counts(self.cluster)
        try:
            t_start = time.monotonic()
            wl.start()
            phase = 1.0 + rng.random() * 0.5
            if not cl.wait_until(wl.all_writing, 20, step=0.05):
                raise RuntimeError("the writers had no write acknowledged within 20 s of starting")
            # The fault comes at a random phase of the write stream.
            time.sleep(max(0.0, t_start + phase - time.monotonic()))
            watch = checker.MasterWatch(self.cluster, master.addr).start()
            t_fault = time.time()
            fault.inject(rd)
            time.sleep(hold)
            t_heal = time.time()
            fault.heal(rd)
            trace = []
            ok, conv_s, new_master, why = checker.wait_converged(self.cluster, a.converge_timeout,
                                                                 trace)
            if not ok:
                rd.notes.append("not converged: " + why)
            elif conv_s > 0.5:
                rd.notes.append("waited for: " + "; ".join("%.2f %s" % t for t in trace[:-1]))
            time.sleep(1.0)  # the writers show they work against the converged group
            wl.stop()
        finally:
            wl.kill()
            if watch is not None:
                watch.stop()
            rd.resume_stopped()
            self.topo.heal()
        self.coordinated = rd.coordinated
        r = self.assess(round_no, fault, rd, wl, watch, master, new_master, ok, conv_s,
                        t_fault, t_heal)
        r["full_syncs"] = checker.full_syncs_since(self.cluster, syncs_before)
        return r

    def assess(self, round_no, fault, rd, wl, watch, old_master, new_master, ok, conv_s,
               t_fault, t_heal):
        acks = wl.acks()
        masters = checker.count_masters(self.cluster)
        check_on = new_master or self.cluster.current_master()
        lost = set()
        if check_on is not None and acks:
            lost = checker.missing(check_on, [x.key for x in acks])
        elif acks:
            rd.notes.append("no master to read back from")
        window_end_ms = (t_heal + (conv_s or 0) + 1.0) * 1000
        lost_acks = [x for x in acks if x.key in lost]
        lost_plain = [x for x in lost_acks if x.kind == "plain"]
        promoted = watch.first_change if watch else None
        final_addr = check_on.addr if check_on is not None else None
        moved = final_addr is not None and final_addr != old_master.addr
        first_new = next((x.ms / 1000.0 for x in acks
                          if moved and x.addr == final_addr and x.ms >= t_fault * 1000), None)
        res = wl.results()
        r = {
            "round": round_no, "scenario": fault.name, "system": self.system,
            "converged": ok and masters == 1, "converge_s": conv_s if ok else None,
            "failover_s": (promoted[0] - t_fault) if promoted else None,
            "writer_new_master_s": (first_new - t_fault) if first_new else None,
            "writer_after_promotion_s": (first_new - promoted[0]) if first_new and promoted
            else None,
            "acked": len(acks), "acked_wait": sum(1 for x in acks if x.kind == "wait"),
            "lost_plain": len(lost_plain),
            "lost_plain_after_heal": sum(1 for x in lost_plain if x.ms > t_heal * 1000),
            "lost_unattributed": sum(1 for x in lost_plain
                                     if not (t_fault * 1000 - 1000 <= x.ms <= window_end_ms)),
            "lost_wait": sum(1 for x in lost_acks if x.kind == "wait"),
            "longest_pause_ms": max([w.get("longest_pause_ms", 0) for w in res] or [0]),
            "writer_errors": sum(w.get("errors", 0) for w in res),
            "masters_at_check": masters, "reduced": rd.reduced, "notes": rd.notes,
            "t_fault": t_fault, "t_heal": t_heal,
            "promoted_at": promoted[0] if promoted else None,
        }
        if not r["converged"]:
            why = next((n for n in rd.notes if n.startswith("not converged")), "")
            self.violations.append("round %d %s: not converged (%d masters) %s" % (
                round_no, fault.name, masters, why))
        bound = self.args.converge_bound
        if r["converged"] and bound > 0 and conv_s is not None and conv_s > bound:
            self.violations.append("round %d %s: converged %.2f s after the heal (bound %.1f s)" % (
                round_no, fault.name, conv_s, bound))
        if r["lost_wait"]:
            self.violations.append("round %d %s: %d WAIT-acknowledged writes lost" % (
                round_no, fault.name, r["lost_wait"]))
        self.all_acks += [x for x in acks if x.key not in lost]
        if lost_acks:
            self.dump_lost(round_no, r, lost_acks, old_master, final_addr)
        return r

    def dump_lost(self, round_no, r, lost_acks, old_master, final_addr):
        # Times relative to the fault, so a loss can be placed against the fence and failover.
        path = os.path.join(self.cluster.workdir, "r%d-lost.txt" % round_no)
        t0 = r["t_fault"] * 1000
        with open(path, "w") as f:
            f.write("scenario=%s old_master=%s final=%s heal=%+.3fs promoted=%s\n" % (
                r["scenario"], old_master.addr, final_addr, r["t_heal"] - r["t_fault"],
                "%+.3fs" % (r["promoted_at"] - r["t_fault"]) if r["promoted_at"] else "-"))
            for x in sorted(lost_acks, key=lambda a: a.ms):
                f.write("%+.3fs %s %s %s\n" % ((x.ms - t0) / 1000.0, x.kind, x.key, x.addr))

    def final_check(self):
        """Writes present after their own round must still be there after every later fault."""
        master = self.cluster.current_master()
        if master is None or not self.all_acks:
            return
        lost = checker.missing(master, [x.key for x in self.all_acks], timeout=30)
        self.lost_later = len(lost)
        if lost:
            self.violations.append("%d writes present after their round were lost later (e.g. %s)"
                                   % (len(lost), sorted(lost)[:3]))

    def run(self, plan):
        print(self.header(), flush=True)
        for round_no, fault_cls in plan:
            try:
                r = self.one_round(round_no, fault_cls)
            except (RuntimeError, redis.RedisError, OSError) as e:
                self.violations.append("round %d %s: %s" % (round_no, fault_cls.name, e))
                break
            self.results.append(r)
            print(report.round_line(r), flush=True)
        self.final_check()
        if self.coordinated is False:
            print("note: SENTINEL FAILOVER COORDINATED is not supported by this sentinel; "
                  "switchover rounds used plain SENTINEL FAILOVER", flush=True)


def install_signal_exit():
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, handler)


def main():
    args = parse_args()
    install_signal_exit()
    names = [n for n in args.scenario.split(",") if n]
    unknown = [n for n in names if n not in faults.BY_NAME]
    if unknown:
        print("unknown scenario(s): %s; known: %s" % (",".join(unknown), ", ".join(faults.BY_NAME)))
        return 2
    plan = schedule.build(args.seed, args.rounds, names)
    systems = ["vigil", "redis"] if args.compare else ["redis" if args.redis else "vigil"]
    workdir = tempfile.mkdtemp(prefix="vigil-chaos-%d-" % args.run_id)
    by_system, violations, lost_later = {}, {}, {}
    code = 0
    try:
        for system in systems:
            run = Run(args, system, workdir)
            try:
                run.setup()
                run.run(plan)
            except (RuntimeError, redis.RedisError, OSError) as e:
                run.violations.append("setup failed: %s" % e)
                if system == systems[0]:
                    code = 2
            finally:
                run.teardown()
            if run.topo is not None and run.topo.reduced:
                print("NOTE: reduced mode (no network namespaces): partitions were simulated by "
                      "SIGSTOP of the isolated side", flush=True)
            by_system[system] = run.results
            violations[system] = run.violations
            lost_later[system] = run.lost_later
    finally:
        if args.keep:
            print("work dir kept: %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seed": args.seed, "rounds": by_system, "violations": violations}, f,
                      indent=1)
    for system, rs in by_system.items():
        print(report.scenario_table(rs, "%s: per scenario" % system))
    if len(by_system) > 1:
        print(report.comparison_table(by_system))
    print()
    primary = systems[0]
    for system in systems:
        tag = system if system == primary else "%s (reference, does not fail the run)" % system
        for v in violations.get(system, []):
            print("VIOLATION: %s: %s" % (tag, v))
    for system in systems[1:]:
        print("%s: %s" % (system, report.summary_line(by_system.get(system, []),
                                                       lost_later.get(system, 0))))
    print(report.summary_line(by_system.get(primary, []), lost_later.get(primary, 0)), flush=True)
    if code == 0 and (violations.get(primary) or len(by_system.get(primary, [])) < args.rounds):
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
