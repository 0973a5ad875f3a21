#!/usr/bin/env python3
"""ACL users on a replicated vigil-datanode set under a real redis-sentinel 7.0.

The sequence Redis's sentinel suite runs (tests/sentinel/tests/03-runtime-reconf.tcl,
server_set_acl / server_reset_acl) against one vigil master and two vigil replicas watched by a
redis-sentinel configured with `auth-user`/`auth-pass`: every node gets `testuser`, the default
user is switched off and its clients killed, and the replicas re-sync with
CONFIG SET masteruser/masterauth. The sentinel must reach every node as testuser and carry out a
failover (REPLICAOF, CONFIG REWRITE, ...); then everything is reverted and the set converges
again with the default user.
"""

import repl_harness as rh
from sentinel_process import SentinelProcess

USER, PASSWORD = "testuser", "secret"


class Sentinel(SentinelProcess):
    def __init__(self, binary, master_port):
        super().__init__(binary, master_port, extra_lines=[
            "sentinel auth-user mym %s" % USER, "sentinel auth-pass mym %s" % PASSWORD])

    def flags(self, reply):
        d = dict(zip(reply[::2], reply[1::2]))
        return d.get("flags", "")

    def all_connected(self, replicas):
        master = self.call("SENTINEL", "master", "mym")
        reps = self.call("SENTINEL", "replicas", "mym")
        return ("disconnected" not in self.flags(master) and len(reps) == replicas and
                all("disconnected" not in self.flags(r) and "s_down" not in self.flags(r)
                    for r in reps))

    def master_port(self):
        return self.master_addr()[1]


def set_acl(node):
    """server_set_acl: the connection that kills `default` clients kills itself too; the next
    command reconnects (as the Tcl client does) and authenticates as testuser."""
    ok = node.call("ACL", "SETUSER", USER, "on", ">" + PASSWORD, "allchannels", "+@all") == "OK"
    ok &= node.call("ACL", "SETUSER", "default", "off") == "OK"
    node.try_call("CLIENT", "KILL", "USER", "default", "SKIPME", "no")
    ok &= node.call("AUTH", USER, PASSWORD) == "OK"
    ok &= node.call("CONFIG", "SET", "masteruser", USER) == "OK"
    ok &= node.call("CONFIG", "SET", "masterauth", PASSWORD) == "OK"
    return ok


def authed(node):
    """The sentinel's CLIENT KILL TYPE normal (after REPLICAOF) drops our connection, and a new
    one starts as the disabled default user: authenticate again (a no-op on a live one)."""
    node.call("AUTH", USER, PASSWORD)
    return node


def reset_acl(node):
    """server_reset_acl: deleting testuser closes this connection after the reply."""
    ok = authed(node).call("ACL", "SETUSER", "default", "on") == "OK"
    ok &= node.call("ACL", "DELUSER", USER) == 1
    ok &= node.call("CONFIG", "SET", "masteruser", "") == "OK"
    ok &= node.call("CONFIG", "SET", "masterauth", "") == "OK"
    return ok


def replica_users(master):
    lines = master.call("CLIENT", "LIST", "TYPE", "replica").strip().split("\n")
    return sorted(l.split(" user=")[1].split(" ")[0] for l in lines if " user=" in l)


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    sentinel_bin = rh.require_tool("redis-sentinel")
    res = rh.Results()
    nodes, sentinel = [], None
    try:
        m = rh.Node("vigil", args.vigil)
        r1 = rh.Node("vigil", args.vigil, ["--replicaof", rh.HOST, str(m.port)])
        r2 = rh.Node("vigil", args.vigil, ["--replicaof", rh.HOST, str(m.port)])
        nodes += [m, r1, r2]
        res.check(rh.wait_for(lambda: rh.link_up(r1) and rh.link_up(r2), 10), "replicas up")
        sentinel = Sentinel(sentinel_bin, m.port)
        res.check(rh.wait_for(lambda: sentinel.all_connected(2), 20, 0.2),
                  "sentinel reaches the set", sentinel.log_tail())

        for n in nodes:
            res.check(set_acl(n), "ACL set on node %d" % n.port)
        res.check(rh.wait_for(lambda: rh.link_up(r1) and rh.link_up(r2) and
                              replica_users(m) == [USER, USER], 20, 0.2),
                  "replicas re-sync authenticated as testuser", r1.log_tail(10))
        # testuser has no key rights (as in the suite): the stream is checked by offsets.
        res.check(rh.wait_for(lambda: rh.offsets_equal(m, r1) and rh.offsets_equal(m, r2), 20),
                  "replicas keep up with the master's stream")
        res.check(rh.wait_for(lambda: sentinel.all_connected(2), 30, 0.2),
                  "sentinel reaches every node as testuser", sentinel.log_tail())
        clients = m.call("CLIENT", "LIST")
        res.check(" user=default " not in clients, "no client of the master is `default`", clients)

        res.check(sentinel.call("SENTINEL", "FAILOVER", "mym") == "OK", "SENTINEL FAILOVER")
        res.check(rh.wait_for(lambda: sentinel.master_port() != m.port, 30, 0.2),
                  "the sentinel switched the master", sentinel.log_tail())
        new = r1 if sentinel.master_port() == r1.port else r2
        others = [n for n in nodes if n is not new]
        res.check(rh.wait_for(lambda: all(rh.link_up(authed(n)) and
                                          n.info().get("master_port") == str(new.port)
                                          for n in others) and
                              replica_users(authed(new)) == [USER, USER], 40, 0.2),
                  "both other nodes replicate the new master as testuser", m.log_tail(10))

        for n in [new] + others:
            res.check(reset_acl(n), "ACL reverted on node %d" % n.port)
        res.check(rh.wait_for(lambda: all(rh.link_up(n) for n in others) and
                              replica_users(new) == ["default", "default"], 30, 0.2),
                  "replicas re-sync as default after the revert", others[0].log_tail(10))
        res.check(new.call("ACL", "LIST") == ["user default on nopass ~* &* +@all"],
                  "only the default user is left")
        res.check(rh.wait_for(lambda: sentinel.all_connected(2), 30, 0.2),
                  "sentinel still reaches every node", sentinel.log_tail())
    finally:
        if sentinel is not None:
            sentinel.stop()
        rh.stop_all(nodes)
    res.finish()


if __name__ == "__main__":
    main()
