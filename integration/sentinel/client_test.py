#!/usr/bin/env python3
"""Proof 5 of issue 6: redis-py's Sentinel(...).master_for(name) keeps writing across a kill -9
failover of vigil-datanode nodes managed by three vigil-sentinels: after a bounded gap the writes
succeed again, on the promoted node, and every write acknowledged after the failover is there.
"""

import time

import sentinel_harness as sh


def main():
    args = sh.parse_args(__doc__)
    res = sh.Results()
    redis = sh.import_redis_py()
    if not res.check(redis is not None, "python redis module (python3-redis) importable"):
        res.finish()
    procs = []
    try:
        master = sh.data_node(args.vigil)
        procs.append(master.start())
        nodes = [master]
        for _ in range(2):
            r = sh.data_node(args.vigil, replicaof=master.port)
            procs.append(r.start())
            nodes.append(r)
        ok = sh.wait_for(lambda: all(sh.info_field(n.port, "master_link_status") == "up"
                                     for n in nodes[1:]), 20)
        res.check(ok, "replicas linked")
        sents = []
        for _ in range(3):
            s = sh.sentinel(args.vigil_sentinel, [("mym", master.port, 2)])
            procs.append(s.start())
            sents.append(s)

        def discovered():
            for s in sents:
                m = sh.call(s.port, "SENTINEL", "MASTER", "mym")
                d = dict(zip(m[::2], m[1::2]))
                if d["num-other-sentinels"] != "2" or d["num-slaves"] != "2":
                    return False
            return True
        res.check(sh.wait_for(discovered, 20), "sentinels discovered each other")
        sentinel = redis.sentinel.Sentinel([(sh.HOST, s.port) for s in sents], socket_timeout=0.5)
        res.check(sentinel.discover_master("mym") == (sh.HOST, master.port),
                  "discover_master names the master")
        res.check(len(sentinel.discover_slaves("mym")) == 2, "discover_slaves finds 2 replicas")
        client = sentinel.master_for("mym", socket_timeout=0.5, socket_connect_timeout=0.5)
        acked = {}
        errors = 0
        last_error = None
        last_error_index = -1
        t0 = time.monotonic()
        killed_at = None
        i = 0
        while time.monotonic() - t0 < 9.0:
            now = time.monotonic()
            if killed_at is None and now - t0 > 2.0:
                master.kill()
                killed_at = now
            key = "k%d" % i
            try:
                client.set(key, str(i))
                acked[key] = i
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                    redis.exceptions.ReadOnlyError, redis.exceptions.ResponseError):
                errors += 1
                last_error = now
                last_error_index = i
                time.sleep(0.02)
            i += 1
            time.sleep(0.005)
        gap = (last_error - killed_at) if last_error else 0.0
        print("writes: %d acked, %d errors, last error %.2fs after the kill" % (len(acked), errors, gap))
        res.check(errors > 0, "the kill was noticed by the client")
        res.check(last_error is not None and gap < 5.0, "writes succeed again after the failover",
                  "last error %.2fs after kill" % gap)
        new = sentinel.discover_master("mym")
        res.check(new[1] != master.port, "a replica was promoted", str(new))
        newc = redis.Redis(host=new[0], port=new[1], socket_timeout=2)
        after = [k for k, n in acked.items() if n > last_error_index]
        res.check(len(after) > 50, "writes acknowledged after the failover", str(len(after)))
        missing = [k for k in after if newc.get(k) != str(acked[k]).encode()]
        res.check(not missing, "every write acknowledged after the failover is on the new master",
                  str(missing[:5]))
    finally:
        for p in procs:
            p.cleanup()
    res.finish()


if __name__ == "__main__":
    main()
