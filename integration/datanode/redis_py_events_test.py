#!/usr/bin/env python3
"""Keyspace notifications and client-side caching as redis-py (Debian's python3-redis) sees
them: the same command sequence runs against redis-server 7.0 and vigil-datanode, and the
messages a listener receives must be the same, in the same order.

- notifications: a pub/sub listener on `__key*@3__:*` with notify-keyspace-events KEA, across
  the data types, renames, expiry (lazy and active) and eviction-free deletions;
- client-side caching: redis-py 4 speaks RESP2, so invalidations are redirected to a connection
  subscribed to `__redis__:invalidate` (how its users run tracking): default mode, the client's
  own writes, flushes, NOLOOP, OPTIN with CLIENT CACHING, and BCAST with prefixes.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

QUIET_S = 0.3  # no message for this long: the listener has everything


def drain(pubsub, limit_s=10.0):
    """Every message the listener got until it stays quiet, as comparable tuples."""
    out = []
    deadline = time.time() + limit_s
    while time.time() < deadline:
        m = pubsub.get_message(timeout=QUIET_S)
        if m is None:
            break
        if m["type"] in ("message", "pmessage"):
            out.append((m["type"], m["channel"], m["data"]))
    return out


def notifications(redis, port):
    admin = redis.Redis(host=harness.HOST, port=port, socket_timeout=5, decode_responses=True)
    admin.config_set("notify-keyspace-events", "KEA")
    listener = admin.pubsub()
    listener.psubscribe("__key*@3__:*")
    assert listener.get_message(timeout=5)["type"] == "psubscribe"
    c = redis.Redis(host=harness.HOST, port=port, db=3, socket_timeout=5, decode_responses=True)
    c.set("n:s", 1)
    c.incr("n:s")
    c.append("n:s", "0")
    c.expire("n:s", 100)
    c.persist("n:s")
    c.rename("n:s", "n:s2")
    c.rpush("n:l", "a", "b")
    c.lpop("n:l")
    c.lpop("n:l")  # emptied: del
    c.hset("n:h", mapping={"f": 1, "g": 2})
    c.hincrby("n:h", "f", 3)
    c.hdel("n:h", "f", "g")
    c.sadd("n:set", "x", "y")
    c.srem("n:set", "x")
    c.zadd("n:z", {"m": 1})
    c.zincrby("n:z", 2, "m")
    c.xadd("n:x", {"f": "v"}, id="1-1")
    c.setbit("n:b", 7, 1)
    c.pfadd("n:hll", "a", "b")
    c.copy("n:s2", "n:copy")
    c.delete("n:s2", "n:copy", "n:missing")
    expired = int(admin.info("stats")["expired_keys"])
    c.set("n:lazy", 1, px=50)
    c.set("n:active", 1, px=50)
    time.sleep(0.2)  # past both keys' 50 ms TTL
    c.get("n:lazy")  # expired when read, if the cron did not get it first
    # Until the active expiry cycle (hz 10) has taken n:active too; if not, the diff shows it.
    harness.wait_until(lambda: int(admin.info("stats")["expired_keys"]) >= expired + 2, 10)
    c.flushdb()
    got = drain(listener)
    admin.config_set("notify-keyspace-events", "")
    listener.close()
    # The two expiries may happen in either order (active expiry samples keys at random).
    return got


def redirect_target(redis, port):
    """A connection subscribed to __redis__:invalidate and its client id."""
    conn = redis.Redis(host=harness.HOST, port=port, socket_timeout=5, decode_responses=True)
    listener = conn.pubsub()
    listener.subscribe("__redis__:invalidate")
    assert listener.get_message(timeout=5)["type"] == "subscribe"
    subscribed = [c for c in conn.client_list() if c.get("sub") == "1"]
    assert len(subscribed) == 1, subscribed
    return listener, int(subscribed[0]["id"])


def tracking(redis, port):
    listener, redir = redirect_target(redis, port)
    r = redis.Redis(host=harness.HOST, port=port, socket_timeout=5, decode_responses=True,
                    single_connection_client=True)
    w = redis.Redis(host=harness.HOST, port=port, socket_timeout=5, decode_responses=True)
    got = []

    def step(label):
        got.append(("--", label, None))
        got.extend(drain(listener))

    r.client_tracking_on(clientid=redir)
    r.set("t:a", 1)
    r.get("t:a")
    w.set("t:a", 2)  # read by r: one invalidation
    w.set("t:a", 3)  # not read since: none
    step("default")
    r.mget("t:b", "t:c", "t:d")
    w.mset({"t:b": 1, "t:c": 2})
    r.hget("t:h", "f")
    w.hset("t:h", "f", "v")
    step("several keys")
    r.get("t:a")
    r.incr("t:a")  # the client's own write
    step("own write")
    r.get("t:a")
    w.flushall()
    step("flush")
    r.client_tracking_off()
    r.client_tracking_on(clientid=redir, noloop=True)
    r.get("t:n")
    r.get("t:m")
    r.set("t:n", "mine")
    w.set("t:m", "theirs")
    step("noloop")
    r.client_tracking_off()
    r.client_tracking_on(clientid=redir, optin=True)
    r.get("t:o1")
    r.execute_command("CLIENT", "CACHING", "YES")
    r.get("t:o2")
    w.mset({"t:o1": 1, "t:o2": 2})
    step("optin")
    r.client_tracking_off()
    r.client_tracking_on(clientid=redir, bcast=True, prefix=["t:p:", "t:q:"])
    w.mset({"t:p:1": 1, "t:q:1": 1, "t:z:1": 1})
    pipe = w.pipeline(transaction=True)
    pipe.set("t:p:2", 2)
    pipe.set("t:p:3", 3)
    pipe.execute()
    step("bcast")
    r.client_tracking_off()
    listener.close()
    return got


def main():
    args = harness.parse_args(__doc__)
    redis = harness.import_redis_py()
    if redis is None:
        print("FAIL: the python 'redis' module (python3-redis) is not installed for %s"
              % sys.executable)
        sys.exit(1)
    results = {}
    for kind, binary in (("redis", args.redis_server), ("vigil", args.vigil)):
        start = harness.start_redis if kind == "redis" else harness.start_vigil
        with start(binary) as server:
            results[kind] = {"notifications": notifications(redis, server.port),
                             "tracking": tracking(redis, server.port)}
    failed = False
    for part in ("notifications", "tracking"):
        want, have = results["redis"][part], results["vigil"][part]
        if part == "notifications":
            # Which of the two expired keys goes first is up to the expiry cycle's sampling.
            want, have = sorted(want, key=repr), sorted(have, key=repr)
        if want == have:
            print("ok: %s, %d messages as redis-server" % (part, len(want)))
            continue
        failed = True
        print("FAIL: %s differ" % part)
        for i in range(max(len(want), len(have))):
            a = want[i] if i < len(want) else None
            b = have[i] if i < len(have) else None
            print("  %s redis=%r vigil=%r" % ("  " if a == b else "!=", a, b))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
