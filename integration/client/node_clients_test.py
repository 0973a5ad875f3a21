#!/usr/bin/env python3
"""Node.js Sentinel clients follow a Vigil failover (issue 17, item 4).

ioredis and node-redis (npm `redis`, its createSentinel client, in RESP2 and in RESP3, where it
stays subscribed to the sentinel while it sends commands) write through three vigil-sentinels
while the master is killed with SIGKILL (`--fault kill`), handed over with a planned
`SENTINEL FAILOVER` (`--fault failover`), or restarted the planned way: `SHUTDOWN` with
`sentinel-shutdown-handoff yes` (`--fault shutdown`). Each must keep writing on the new master. Checked:
writes acknowledged before and after the fault, the keys acknowledged last are on the new
master, and the longest gap between two acknowledgements stays under the failover time + 2 s.

The same run also talks to a sentinel the way current tools do: Valkey's PRIMARY aliases,
SELECT 0, CLIENT SETINFO, HELLO 3 with a subscription open while commands run, and SENTINEL
REPLICAS read positionally (flags are the fifth field pair, as in Redis).

The npm packages (versions in node/package.json) are installed at test time into
--npm-dir, once; node and npm come with the machine (the README's requirements).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sentinel"))
sys.path.insert(0, HERE)
import sentinel_harness as sh  # noqa: E402
import sdk_failover_test as sdk  # noqa: E402

NAME = sdk.NAME


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--npm-dir", required=True, help="where the npm packages are installed")
    p.add_argument("--fault", choices=["kill", "failover", "shutdown"], required=True)
    a = p.parse_args()
    a.vigil, a.vigil_sentinel = map(os.path.abspath, (a.vigil, a.vigil_sentinel))
    a.auth = False  # sdk.start_cluster reads it
    a.node_extra = ["--sentinel-shutdown-handoff", "yes"]
    return a


def install_packages(npm_dir):
    os.makedirs(npm_dir, exist_ok=True)
    src = os.path.join(HERE, "node", "package.json")
    dst = os.path.join(npm_dir, "package.json")
    marker = os.path.join(npm_dir, "node_modules", ".vigil-installed")
    with open(src) as f:
        want = f.read()
    if os.path.exists(marker) and open(marker).read() == want:
        return
    shutil.copyfile(src, dst)
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise RuntimeError("%s is not installed: this test needs Node.js and npm" % tool)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel", "error"],
                   cwd=npm_dir, check=True, timeout=240)
    with open(marker, "w") as f:
        f.write(want)


def protocol_checks(res, sentinel_port, master_port):
    c = sh.RespConn(sentinel_port, timeout=3.0)
    try:
        addr = sh.decode(c.call("SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", NAME))
        res.check(addr == [sh.HOST, str(master_port)],
                  "SENTINEL GET-PRIMARY-ADDR-BY-NAME answers like GET-MASTER-ADDR-BY-NAME",
                  repr(addr))
        prim = sh.decode(c.call("SENTINEL", "PRIMARY", NAME))
        res.check(isinstance(prim, list) and prim[:2] == ["name", NAME],
                  "SENTINEL PRIMARY answers like SENTINEL MASTER", repr(prim)[:200])
        prims = sh.decode(c.call("SENTINEL", "PRIMARIES"))
        res.check(isinstance(prims, list) and len(prims) == 1, "SENTINEL PRIMARIES lists the master")
        vote = sh.decode(c.call("SENTINEL", "IS-PRIMARY-DOWN-BY-ADDR", sh.HOST, str(master_port),
                                "0", "*"))
        res.check(isinstance(vote, list) and vote[0] == 0 and vote[1] == "*",
                  "SENTINEL IS-PRIMARY-DOWN-BY-ADDR answers like IS-MASTER-DOWN-BY-ADDR",
                  repr(vote))
        res.check(sh.decode(c.call("SELECT", "0")) == "OK", "SELECT 0 on a sentinel is OK")
        err = sh.decode(c.call("SELECT", "1"))
        res.check(str(err) == "ERR DB index is out of range", "SELECT 1 on a sentinel is refused",
                  repr(err))
        res.check(sh.decode(c.call("CLIENT", "SETINFO", "LIB-NAME", "node-redis")) == "OK",
                  "CLIENT SETINFO on a sentinel is OK")
        info = sh.decode(c.call("CLIENT", "INFO"))
        res.check("lib-name=node-redis" in str(info), "CLIENT INFO shows the library name", info)
        res.check(sh.decode(c.call("COMMAND", "COUNT")) == 15,
                  "COMMAND COUNT stays Redis 7.0's 15 (the aliases are not new commands)")
        reps = sh.decode(c.call("SENTINEL", "REPLICAS", NAME))
        res.check(isinstance(reps, list) and len(reps) == 2 and
                  all(r[0] == "name" and r[8] == "flags" and r[9] == "slave" for r in reps),
                  "SENTINEL REPLICAS: field pairs in Redis's order (flags fifth)",
                  repr(reps)[:300])
    finally:
        c.close()
    # RESP3: HELLO 3, a subscription, then ordinary commands on the same connection.
    c = sh.RespConn(sentinel_port, timeout=3.0)
    try:
        hello = c.call("HELLO", "3")
        res.check(hello.kind == "%", "HELLO 3 answers a map", hello.kind)
        sub = c.call("SUBSCRIBE", "+switch-master")
        res.check(sub.kind == ">", "SUBSCRIBE confirms with a push in RESP3", sub.kind)
        pong = c.call("PING")
        res.check(pong.kind == "+" and pong.value == b"PONG", "PING while subscribed (RESP3)",
                  repr(pong))
        addr = sh.decode(c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME))
        res.check(addr == [sh.HOST, str(master_port)],
                  "SENTINEL commands while subscribed (RESP3)", repr(addr))
    finally:
        c.close()


def read_acks(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out.append((int(parts[0]) / 1000.0, parts[1]))
    return out


def run(args, res):
    install_packages(args.npm_dir)
    procs, writers = [], []
    work = tempfile.mkdtemp(prefix="vigil-node-")
    stop_file = os.path.join(work, "stop")
    try:
        master, replicas, sents = sdk.start_cluster(args, procs)
        protocol_checks(res, sents[0].port, master.port)
        sentinels = ",".join("%s:%d" % (sh.HOST, s.port) for s in sents)
        env = dict(os.environ, NODE_PATH=os.path.join(args.npm_dir, "node_modules"))
        script = os.path.join(args.npm_dir, "sentinel_writer.mjs")
        shutil.copyfile(os.path.join(HERE, "node", "sentinel_writer.mjs"), script)
        for client, resp in (("ioredis", 2), ("node-redis", 2), ("node-redis", 3)):
            tag = "%s-resp%d" % (client, resp)
            log = os.path.join(work, tag + ".acks")
            err = open(os.path.join(work, tag + ".err"), "wb")
            p = subprocess.Popen(["node", script, "--client", client, "--resp", str(resp),
                                  "--sentinels", sentinels, "--master", NAME,
                                  "--prefix", tag + ":", "--ack-log", log,
                                  "--stop-file", stop_file],
                                 stdout=subprocess.PIPE, stderr=err, env=env)
            err.close()
            writers.append((tag, p, log))
        res.check(sh.wait_for(lambda: all(len(read_acks(w[2])) > 50 for w in writers), 30),
                  "every client writes before the fault",
                  repr([(w[0], len(read_acks(w[2]))) for w in writers]))
        t_fault = time.time()
        if args.fault == "kill":
            master.kill()
        elif args.fault == "shutdown":
            # The master asks the sentinels it has heard hellos from: it must know every one.
            res.check(sh.wait_hellos_relayed(master.port, [s.port for s in sents], 15),
                      "the master heard a hello from every sentinel")
            t_fault = time.time()
            shutdown = sh.RespConn(master.port, timeout=15.0)
            shutdown.send("SHUTDOWN")
        else:
            res.check(sh.call(sents[0].port, "SENTINEL", "FAILOVER", NAME) == "OK",
                      "SENTINEL FAILOVER accepted")
        old = master.port
        moved = sh.wait_for(lambda: (sh.master_addr(sents[0].port, NAME) or (0, old))[1] != old,
                            20)
        t_switch = time.time()
        res.check(moved, "the sentinels name a new master")
        new_port = sh.master_addr(sents[0].port, NAME)[1]
        # 4 s past the switch for the gap checked below, and until every client has written on.
        sh.wait_for(lambda: time.time() >= t_switch + 4.0 and
                    all(len([t for t, _ in read_acks(w[2]) if t > t_switch + 1.0]) > 20
                        for w in writers), 30)
        open(stop_file, "w").close()
        for tag, p, log in writers:
            try:
                out, _ = p.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
            lines = out.decode().strip().splitlines()
            summary = json.loads(lines[-1]) if lines else {}
            print("%s (%s): %s; failover %.2f s" % (tag, args.fault, json.dumps(summary),
                                                   t_switch - t_fault))
            res.check(p.returncode == 0, "%s exits 0" % tag,
                      open(os.path.join(work, tag + ".err")).read()[-800:])
            acks = read_acks(log)
            after = [k for t, k in acks if t > t_switch + 1.0]
            res.check(len(after) > 20, "%s keeps writing after the failover" % tag,
                      "%d acks after the switch" % len(after))
            if after:
                last = after[-20:]
                vals = sh.call(new_port, "MGET", *last)
                res.check(all(v is not None for v in vals),
                          "%s: its last acknowledged keys are on the new master" % tag)
            gap = summary.get("longest_gap_ms", 10 ** 9) / 1000.0
            bound = (t_switch - t_fault) + 2.0
            res.check(gap <= bound, "%s: longest write gap within failover time + 2 s" % tag,
                      "%.2f s, bound %.2f s" % (gap, bound))
    finally:
        sh.stop_everything(procs, [w[1] for w in writers], stop_file=stop_file)
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_args()
    res = sh.Results()
    run(args, res)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
