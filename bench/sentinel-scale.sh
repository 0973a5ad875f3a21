#!/usr/bin/env bash
# Sentinel scale benchmark (issue 6), vigil-sentinel and redis-sentinel 7.0 side by side:
# N standalone redis-server data nodes (hz 1, no persistence), then for each system
#   - one sentinel monitoring all N (quorum 1): CPU % and RSS over WINDOW seconds once settled;
#   - three sentinels (quorum 2): time until every sentinel knows both peers on every master,
#     TILTs during that, CPU % and RSS per sentinel over WINDOW seconds, and the time from
#     kill -9 of one data node to the first +odown.
# With FLOOR=1 it also runs bench/sentinel_floor.cc (1 and 3 copies) against the same nodes: the
# same sockets and message counts with no sentinel logic, i.e. the kernel's share of the cost.
# Usage: bench/sentinel-scale.sh N [N...]     env: WINDOW (30), VIGIL_BUILD (build), ONLY, FLOOR
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 N [N...]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT BUILD=${VIGIL_BUILD:-$ROOT/build} WINDOW=${WINDOW:-30} NS="$*"
ulimit -n 65536 2>/dev/null || true
exec python3 - <<'PY'
import datetime, os, re, shutil, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "integration", "sentinel"))
import sentinel_harness as sh

BUILD, WINDOW = os.environ["BUILD"], int(os.environ["WINDOW"])
SYSTEMS = [("vigil", os.path.join(BUILD, "bin", "vigil-sentinel")),
           ("redis", shutil.which("redis-sentinel"))]
if os.environ.get("ONLY"):  # e.g. ONLY=vigil while profiling
    SYSTEMS = [s for s in SYSTEMS if s[0] == os.environ["ONLY"]]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICK


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_nodes(n, nodes):
    for _ in range(n):
        p = sh.data_node(shutil.which("redis-server"), extra=["--hz", "1"])
        p.start(wait=False)
        nodes.append(p)
    for p in nodes:
        for _ in range(3):
            try:
                if sh.wait_for(p.ping, 30):
                    break
            except RuntimeError:  # port raced by another process: take a new one
                p.port = sh.free_port()
                p.start(wait=False)
        else:
            raise RuntimeError("node did not start")


def start_sentinels(binary, nodes, count, quorum):
    sents = []
    for _ in range(count):
        s = sh.Proc("sentinel", None)
        s.conf = os.path.join(s.dir, "sentinel.conf")
        with open(s.conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n" %
                    (s.port, s.dir, os.path.join(s.dir, "sentinel.log")))
            for i, n in enumerate(nodes):
                f.write("sentinel monitor m%d 127.0.0.1 %d %d\n" % (i, n.port, quorum))
                f.write("sentinel down-after-milliseconds m%d 1000\n" % i)
        s.argv_fn = lambda q: [binary, q.conf]
        s.start()
        sents.append(s)
    return sents


def masters(s):
    out = []
    for m in sh.call(s.port, "SENTINEL", "MASTERS", timeout=30):
        out.append(dict(zip(m[::2], m[1::2])))
    return out


def measure(sents):
    c0 = [cpu_seconds(s.proc.pid) for s in sents]
    time.sleep(WINDOW)
    c1 = [cpu_seconds(s.proc.pid) for s in sents]
    cpu = [100.0 * (b - a) / WINDOW for a, b in zip(c0, c1)]
    return sum(cpu) / len(cpu), sum(rss_kib(s.proc.pid) for s in sents) / len(sents) / 1024.0


STAMP = re.compile(r"(\d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3})")


def last_sentinel_event(s):
    # Wall-clock time of the last +sentinel event in the log (Redis and Vigil share the format).
    last = None
    with open(os.path.join(s.dir, "sentinel.log"), errors="replace") as f:
        for line in f:
            m = STAMP.search(line) if "+sentinel sentinel" in line else None
            if m:
                last = datetime.datetime.strptime(m.group(1), "%d %b %Y %H:%M:%S.%f").timestamp()
    return last


def tilts(s):
    with open(os.path.join(s.dir, "sentinel.log"), errors="replace") as f:
        return sum(1 for line in f if "+tilt" in line)


def floor_binary():
    out = os.path.join(tempfile.mkdtemp(prefix="vigil-floor-"), "sentinel_floor")
    subprocess.run(["c++", "-O2", "-std=c++20", "-o", out,
                    os.path.join(os.environ["ROOT"], "bench", "sentinel_floor.cc")], check=True)
    return out


def run_floor(binary, nodes, count):
    ports = os.path.join(os.path.dirname(binary), "ports")
    with open(ports, "w") as f:
        f.write("".join("%d\n" % p.port for p in nodes))
    procs = []
    try:
        for i in range(count):
            p = subprocess.Popen([binary, ports, "abc"[i]], stdout=subprocess.PIPE)
            p.stdout.readline()  # "ready": every connection made
            procs.append(p)
        time.sleep(2)
        c0 = [cpu_seconds(p.pid) for p in procs]
        time.sleep(WINDOW)
        c1 = [cpu_seconds(p.pid) for p in procs]
        rss = sum(rss_kib(p.pid) for p in procs) / len(procs) / 1024.0
    finally:
        for p in procs:
            p.kill()
            p.wait()
    return sum(100.0 * (b - a) / WINDOW for a, b in zip(c0, c1)) / len(procs), rss


FLOOR = floor_binary() if os.environ.get("FLOOR") else None
rows = []
for n in [int(x) for x in os.environ["NS"].split()]:
    nodes = []
    try:
        start_nodes(n, nodes)
        for name, binary in SYSTEMS:
            sents = start_sentinels(binary, nodes, 1, 1)
            try:
                sh.wait_for(lambda: all(m["info-refresh"] != "0" for m in masters(sents[0])), 60, 0.5)
                time.sleep(2)
                cpu, rss = measure(sents)
            finally:
                for s in sents:
                    s.cleanup()
            rows.append((n, name, 1, cpu, rss, None, None, None))
            print("N=%d %s 1 sentinel: cpu %.2f%% rss %.1f MiB" % (n, name, cpu, rss), flush=True)
            t0, wall0 = time.monotonic(), time.time()
            sents = start_sentinels(binary, nodes, 3, 2)
            try:
                ok = sh.wait_for(lambda: all(all(m["num-other-sentinels"] == "2" for m in masters(s))
                                             for s in sents), 300, 0.2)
                discovery = time.monotonic() - t0 if ok else None
                # The poll above answers SENTINEL MASTERS (1,000 entries) from 3 sentinels and
                # parses it in Python, so it lags; the logs say when the last peer was learned.
                logged = [last_sentinel_event(s) for s in sents]
                if ok and all(logged):
                    print("N=%d %s: last +sentinel logged %.2f s after the first start" %
                          (n, name, max(logged) - wall0), flush=True)
                tilt = sum(tilts(s) for s in sents)
                time.sleep(2)
                cpu, rss = measure(sents)
                recs = [sh.EventRecorder(s.port) for s in sents]
                victim = nodes[len(nodes) // 2]
                t_kill = time.monotonic()
                victim.kill()
                sh.wait_for(lambda: any(r.first("+odown") for r in recs), 30, 0.01)
                odown = [r.first("+odown") for r in recs if r.first("+odown")]
                detect = min(e[0] for e in odown) - t_kill if odown else None
                for r in recs:
                    r.close()
                victim.start()
            finally:
                for s in sents:
                    s.cleanup()
            rows.append((n, name, 3, cpu, rss, discovery, tilt, detect))
            print("N=%d %s 3 sentinels: discovery %s s, tilts %d, cpu %.2f%% rss %.1f MiB, "
                  "odown after %s s" % (n, name, "%.2f" % discovery if discovery else "-", tilt, cpu,
                                        rss, "%.2f" % detect if detect else "-"), flush=True)
        if FLOOR:
            for k in (1, 3):
                cpu, rss = run_floor(FLOOR, nodes, k)
                rows.append((n, "floor", k, cpu, rss, None, None, None))
                print("N=%d floor %d: cpu %.2f%% rss %.1f MiB" % (n, k, cpu, rss), flush=True)
    finally:
        for p in nodes:
            p.cleanup()

print()
print("| N | sentinel | sentinels | CPU % (each) | µs CPU / master / s | RSS MiB (each) | KiB / master "
      "| peer discovery s | TILTs | kill → +odown s |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n, name, k, cpu, rss, disc, tilt, det in rows:
    print("| %d | %s | %d | %.2f | %.1f | %.1f | %.1f | %s | %s | %s |" % (
        n, name, k, cpu, cpu / 100.0 * 1e6 / n, rss, rss * 1024.0 / n,
        "%.2f" % disc if disc is not None else ("-" if k == 1 or name == "floor" else "timeout"),
        tilt if tilt is not None else "-", "%.2f" % det if det is not None else "-"))
PY
