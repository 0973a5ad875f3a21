#!/usr/bin/env python3
"""Proof 4 of issue 6: the same script of commands against a redis-sentinel 7.0 and a
vigil-sentinel watching equivalent topologies (the same redis-server master with one replica,
each seeing the other as its one peer): same reply types, field names (in order) and error texts,
in RESP2 and RESP3.
"""

import sentinel_harness as sh

# (command, comparison): "exact" = identical bytes; "shape" = same RESP types and lengths
# recursively; "fields" = instance maps with the same field names in the same order.
SCRIPT = [
    (["PING"], "exact"),
    (["ROLE"], "exact"),
    (["SENTINEL", "MASTERS"], "fields"),
    (["SENTINEL", "MASTER", "mym"], "fields"),
    (["SENTINEL", "MASTER", "nosuch"], "exact"),
    (["SENTINEL", "MASTER"], "exact"),
    (["SENTINEL", "REPLICAS", "mym"], "fields"),
    (["SENTINEL", "SLAVES", "mym"], "fields"),
    (["SENTINEL", "SENTINELS", "mym"], "fields"),
    (["SENTINEL", "SENTINELS", "nosuch"], "exact"),
    (["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mym"], "exact"),
    (["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"], "exact"),
    (["SENTINEL", "CKQUORUM", "mym"], "exact"),
    (["SENTINEL", "CKQUORUM", "nosuch"], "exact"),
    (["SENTINEL", "SET", "mym", "quorum", "abc"], "exact"),
    (["SENTINEL", "SET", "mym", "nosuchoption", "1"], "exact"),
    (["SENTINEL", "SET", "nosuch", "quorum", "1"], "exact"),
    (["SENTINEL", "SET", "mym", "down-after-milliseconds", "-1"], "exact"),
    (["SENTINEL", "SET", "mym", "parallel-syncs", "0"], "exact"),
    (["SENTINEL", "SET", "mym", "notification-script", "/bin/true"], "exact"),
    (["SENTINEL", "SET", "mym"], "exact"),
    (["SENTINEL", "SET", "mym", "quorum", "2"], "exact"),
    (["SENTINEL", "INFO-CACHE", "mym"], "shape"),
    (["SENTINEL", "INFO-CACHE"], "exact"),
    (["SENTINEL", "MYID"], "shape"),
    (["SENTINEL", "CONFIG", "GET", "*"], "exact"),
    (["SENTINEL", "CONFIG", "GET", "announce-*"], "exact"),
    (["SENTINEL", "CONFIG", "SET", "nosuch", "1"], "exact"),
    (["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"], "exact"),
    (["SENTINEL", "CONFIG", "FOO"], "exact"),
    (["SENTINEL", "DEBUG"], "exact"),
    (["SENTINEL", "NOSUCHSUB"], "exact"),
    (["SENTINEL", "nosuchsub", "a", "b"], "exact"),
    (["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0", "*"], "exact"),
    (["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "x", "0", "*"], "exact"),
    (["SENTINEL", "FAILOVER", "nosuch"], "exact"),
    (["SENTINEL", "RESET", "nomatch*"], "exact"),
    (["SENTINEL", "PENDING-SCRIPTS"], "exact"),
    (["SENTINEL", "SIMULATE-FAILURE", "help"], "exact"),
    (["SENTINEL", "SIMULATE-FAILURE", "bogus"], "exact"),
    (["SENTINEL", "MONITOR", "m2", "127.0.0.1", "6379", "0"], "exact"),
    (["SENTINEL", "MONITOR", "m2", "127.0.0.1", "abc", "2"], "exact"),
    (["SENTINEL", "MONITOR", "m2", "127.0.0.1", "70000", "2"], "exact"),
    (["SENTINEL", "MONITOR", "m2", "not-an-ip", "6379", "2"], "exact"),
    (["SENTINEL", "MONITOR", "mym", "127.0.0.1", "6379", "2"], "exact"),
    (["SENTINEL", "REMOVE", "nosuch"], "exact"),
    (["PUBLISH", "other", "x"], "exact"),
    (["SET", "a", "b"], "exact"),
    (["QUIT"], "exact"),
    (["CONFIG", "GET", "port"], "exact"),
    (["COMMAND", "COUNT"], "exact"),
    (["CLIENT", "GETNAME"], "exact"),
    (["CLIENT", "SETNAME", "bad name"], "exact"),
    (["AUTH", "x"], "exact"),
    (["SUBSCRIBE"], "exact"),
]


def shape(n):
    if isinstance(n.value, list):
        return (n.kind, len(n.value), [shape(x) for x in n.value])
    return n.kind


def fields(n):
    """For an instance map or an array of them: the field names in order, plus value kinds."""
    if n.kind in "*%" and n.value and isinstance(n.value[0].value, list):
        return (n.kind, [fields(x) for x in n.value])
    if n.value is None or not isinstance(n.value, list):
        return n.kind
    names = [n.value[i].value for i in range(0, len(n.value), 2)]
    kinds = [n.value[i].kind for i in range(1, len(n.value), 2)]
    return (n.kind, names, kinds)


def compare(a, b, mode):
    if mode == "exact":
        return a.raw == b.raw
    if mode == "shape":
        return shape(a) == shape(b)
    return fields(a) == fields(b)


def main():
    args = sh.parse_args(__doc__)
    res = sh.Results()
    procs = []
    try:
        master = sh.data_node(args.redis_server)
        procs.append(master.start())
        replica = sh.data_node(args.redis_server, replicaof=master.port)
        procs.append(replica.start())
        sh.wait_for(lambda: sh.info_field(replica.port, "master_link_status") == "up", 20)
        redis_s = sh.sentinel(args.redis_sentinel, [("mym", master.port, 2)], down_after=5000,
                              failover_timeout=60000)
        vigil_s = sh.sentinel(args.vigil_sentinel, [("mym", master.port, 2)], down_after=5000,
                              failover_timeout=60000)
        procs += [redis_s.start(), vigil_s.start()]

        def settled(s):
            m = sh.call(s.port, "SENTINEL", "MASTER", "mym")
            d = dict(zip(m[::2], m[1::2]))
            if not (d["num-slaves"] == "1" and d["num-other-sentinels"] == "1" and
                    d["flags"] == "master" and d["info-refresh"] != "0"):
                return False
            # The replica's INFO has arrived too (INFO-CACHE lists it), and the peer answers.
            for kind in ("REPLICAS", "SENTINELS"):
                for r in sh.call(s.port, "SENTINEL", kind, "mym"):
                    f = dict(zip(r[::2], r[1::2]))
                    if f["flags"] not in ("slave", "sentinel") or (
                            kind == "REPLICAS" and f["info-refresh"] == "0"):
                        return False
            return True
        ok = sh.wait_for(lambda: settled(redis_s) and settled(vigil_s), 30)
        if not res.check(ok, "both sentinels see the same topology"):
            print(redis_s.log_tail(), vigil_s.log_tail())
            return
        for proto in (2, 3):
            conns = [sh.RespConn(redis_s.port), sh.RespConn(vigil_s.port)]
            try:
                if proto == 3:
                    hr = [c.call("HELLO", "3") for c in conns]
                    res.check(fields(hr[0]) == fields(hr[1]), "HELLO 3 fields",
                              "%r vs %r" % (fields(hr[0]), fields(hr[1])))
                for argv, mode in SCRIPT:
                    replies = [c.call(*argv) for c in conns]
                    same = compare(replies[0], replies[1], mode)
                    detail = ""
                    if not same:
                        detail = "\n  redis: %r\n  vigil: %r" % (replies[0].raw[:600], replies[1].raw[:600])
                    res.check(same, "RESP%d %s (%s)" % (proto, " ".join(argv), mode), detail)
            finally:
                for c in conns:
                    c.close()
        # Pub/sub: both publish events on their channels; +set goes to subscribers.
        recs = [sh.EventRecorder(redis_s.port), sh.EventRecorder(vigil_s.port)]
        for s in (redis_s, vigil_s):
            s.call("SENTINEL", "SET", "mym", "quorum", "2")
        ok = sh.wait_for(lambda: all(r.first("+set") for r in recs), 5)
        res.check(ok, "+set published by both")
        if ok:
            res.check(recs[0].first("+set")[2].split()[0] == recs[1].first("+set")[2].split()[0],
                      "+set payload format")
        for r in recs:
            r.close()
    finally:
        for p in procs:
            p.cleanup()
    res.finish()


if __name__ == "__main__":
    main()
