#!/usr/bin/env python3
"""Runs Redis 7.0.15's own test suites against Vigil, and against Debian's redis-server.

    run.py --build build --suite sentinel --side vigil --check
    run.py --build build --suite units --side both --report out.json

Each side gets a private copy of Redis's test tree whose `src/` holds that side's servers under
the names the harness starts (`redis-server`, `redis-sentinel`); the harness itself is not
edited. Every suite runs inside a network namespace this script creates (loopback only): the
sentinel suite's base config monitors 10.0.0.1, and in the namespace that address is
unreachable, so no traffic leaves the machine. Each unit is bounded in time; afterwards every
process whose working directory lies inside the copy is killed by pid.

With --check, Vigil's results are compared with expected-failures.txt: a failure not listed, a
unit that did not run to its end without a listed reason, or a listed test that now passes
makes the run fail.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expectations  # noqa: E402
import suite_output  # noqa: E402
import upstream_sources  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def unit_list(tree):
    """The units `runtest` runs by default, in its order (from test_helper.tcl's all_tests)."""
    with open(os.path.join(tree, "tests", "test_helper.tcl")) as f:
        text = f.read()
    start = text.index("set ::all_tests {") + len("set ::all_tests {")
    return text[start:text.index("}", start)].split()


def processes_under(path):
    """Pids of processes whose working directory is inside `path`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % entry)
        except OSError:
            continue
        if cwd == path or cwd.startswith(path + os.sep):
            pids.append(int(entry))
    return pids


def kill_leftovers(path):
    for _ in range(3):
        pids = processes_under(path)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)


def in_namespace(cmd):
    """`cmd` inside a new network namespace with only loopback up."""
    return ["unshare", "--net", "--fork", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"] + cmd


def check_namespace_support():
    p = subprocess.run(in_namespace(["true"]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=30)
    if p.returncode != 0:
        sys.exit("upstream: cannot create a network namespace (needs root and unshare): %s"
                 % p.stdout.strip())


def run_bounded(cmd, cwd, timeout, log_path):
    """Runs `cmd`, teeing its output to `log_path`; returns (text, exit code, timed out)."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    kill_leftovers(cwd)
    with open(log_path, errors="replace") as f:
        return f.read(), proc.returncode, timed_out


def run_sentinel_suite(side_dir, timeout, logs, extra):
    cmd = in_namespace(["./runtest-sentinel"] + extra)
    text, _, timed_out = run_bounded(cmd, side_dir, timeout, os.path.join(logs, "sentinel.log"))
    return suite_output.parse_sentinel_output(text, timed_out)


def run_unit(side_dir, unit, timeout, logs, extra):
    log = os.path.join(logs, unit.replace("/", "_") + ".log")
    cmd = in_namespace(["./runtest", "--single", unit, "--durable", "--clients", "1",
                        "--timeout", str(timeout)] + extra)
    text, code, timed_out = run_bounded(cmd, side_dir, timeout + 30, log)
    return suite_output.parse_unit_output(unit, text, code, timed_out)


def run_side(name, args, tree, servers):
    side_dir = os.path.join(args.work, name)
    upstream_sources.prepare_side(tree, side_dir, servers[0], servers[1])
    if "--tls" in args.extra:
        # runtest --tls reads tests/tls (ca.crt, redis.crt, client.crt, server.crt, redis.dh...):
        # made here by our generator, which writes the same names.
        subprocess.run(["bash", os.path.join(HERE, "..", "tls", "gen-certs.sh"),
                        os.path.join(side_dir, "tests", "tls")], check=True,
                       stdout=subprocess.DEVNULL)
    logs = os.path.join(args.work, name + "-logs")
    os.makedirs(logs, exist_ok=True)
    results = []
    if args.suite in ("sentinel", "all"):
        print("== %s: sentinel suite" % name, flush=True)
        units = run_sentinel_suite(side_dir, args.sentinel_timeout, logs, args.extra)
        for u in units:
            print_unit(u)
        results += units
    if args.suite in ("units", "all"):
        units = args.units.split(",") if args.units else unit_list(tree)
        for unit in units:
            if name == "vigil" and args.expect.unit_excluded(unit):
                print("  %-40s not run: %s" % (unit, args.expect.unit_excluded(unit)), flush=True)
                continue
            r = run_unit(side_dir, unit, args.unit_timeout, logs, args.extra)
            print_unit(r)
            results.append(r)
    return results


def print_unit(u):
    state = "aborted: " + u.aborted if u.aborted else "ran to end"
    print("  %-40s passed %4d  failed %4d  (%s)" % (u.unit, len(u.passed), len(u.failed), state),
          flush=True)
    for test, why in u.failed:
        print("      [fail] %s -- %s" % (test, why), flush=True)


def summary_table(sides):
    names = list(sides)
    units = []
    for results in sides.values():
        for r in results:
            if r.unit not in units:
                units.append(r.unit)
    lines = ["| unit | " + " | ".join("%s passed / failed" % n for n in names) + " |",
             "| --- |" + " ---: |" * len(names)]
    totals = {n: [0, 0] for n in names}
    for unit in units:
        cells = []
        for n in names:
            r = next((x for x in sides[n] if x.unit == unit), None)
            if r is None:
                cells.append("–")
                continue
            totals[n][0] += len(r.passed)
            totals[n][1] += len(r.failed)
            cell = "%d / %d" % (len(r.passed), len(r.failed))
            cells.append(cell + (" (aborted)" if r.aborted else ""))
        lines.append("| %s | %s |" % (unit, " | ".join(cells)))
    lines.append("| **total** | " + " | ".join("**%d / %d**" % tuple(totals[n]) for n in names)
                 + " |")
    if "vigil" in sides and "redis" in sides:
        redis_pass = {(r.unit, t) for r in sides["redis"] for t in r.passed}
        vigil_pass = {(r.unit, t) for r in sides["vigil"] for t in r.passed}
        both = len(redis_pass & vigil_pass)
        share = 100.0 * both / len(redis_pass) if redis_pass else 0.0
        lines.append("")
        lines.append("Vigil passes %d of the %d tests redis-server passes (%.1f %%)."
                     % (both, len(redis_pass), share))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", required=True, help="Vigil's build folder (binaries in bin/)")
    ap.add_argument("--suite", choices=["sentinel", "units", "all"], default="all")
    ap.add_argument("--side", choices=["vigil", "redis", "both"], default="vigil")
    ap.add_argument("--units", default="", help="comma-separated units (default: runtest's list)")
    ap.add_argument("--cache", default="", help="where Redis's sources are kept "
                    "(default: <build>/upstream-src)")
    ap.add_argument("--work", default="", help="scratch folder (default: <build>/upstream-run)")
    ap.add_argument("--expectations", default=os.path.join(HERE, "expected-failures.txt"))
    ap.add_argument("--check", action="store_true",
                    help="fail on results that disagree with the expectations file")
    ap.add_argument("--unit-timeout", type=int, default=900)
    ap.add_argument("--sentinel-timeout", type=int, default=1500)
    ap.add_argument("--report", default="", help="write per-unit results as JSON")
    ap.add_argument("extra", nargs="*", help="more runtest options, after --")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    args.work = os.path.abspath(args.work or os.path.join(build, "upstream-run"))
    cache = os.path.abspath(args.cache or os.path.join(build, "upstream-src"))
    args.expect = expectations.Expectations.load(args.expectations)

    check_namespace_support()
    tree = upstream_sources.redis_sources(cache)
    bin_dir = os.path.join(build, "bin")
    servers = {
        "vigil": (os.path.join(bin_dir, "vigil-datanode"), os.path.join(bin_dir, "vigil-sentinel")),
        "redis": ("/usr/bin/redis-server", "/usr/bin/redis-sentinel"),
    }
    for name, paths in servers.items():
        if args.side in (name, "both"):
            for p in paths:
                if not os.access(p, os.X_OK):
                    sys.exit("upstream: %s is missing (build Vigil, install redis-server and "
                             "redis-sentinel)" % p)
    sides = {}
    for name in ("vigil", "redis"):
        if args.side in (name, "both"):
            sides[name] = run_side(name, args, tree, servers[name])
    print()
    print(summary_table(sides))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({n: [r.as_dict() for r in rs] for n, rs in sides.items()}, f, indent=1)
    if args.check and "vigil" in sides:
        problems = args.expect.compare(sides["vigil"])
        if problems:
            print("\nupstream: results differ from %s:" % args.expectations)
            for p in problems:
                print("  " + p)
            return 1
        passed = sum(len(r.passed) for r in sides["vigil"])
        print("upstream: every result matches %s (%d tests passed)" % (args.expectations, passed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
