"""Where the chaos suite's processes live and how the network between them is cut.

NetnsTopology: one network namespace per host (data node, sentinel, client), each joined to a
bridge in the root namespace by a veth pair, on a private /24 picked so that it is not in use
on this machine. The controller (this process) stays in the root namespace on the bridge's
address and is never cut off, so it can observe and heal everything. Partitions are nftables
DROP rules on the input hook inside the receiving namespace: packets vanish silently, as on a
real network, instead of failing fast the way a blackhole route would.

LoopbackTopology: the reduced mode for machines where `ip netns add` is not permitted; every
host is 127.0.0.1 with its own port and cannot be cut off (faults fall back to SIGSTOP).

Names carry the run id (the run.sh pid), so concurrent runs never collide, and run.sh removes
whatever a crashed run left behind by the same names.
"""

import ipaddress
import os
import shutil
import socket
import subprocess

NFT_TABLE = "chaos"


def run(argv, check=True):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode, r.stderr.strip()))
    return r


class Host:
    """One place a process runs: a namespace (or loopback) with an IP."""

    def __init__(self, name, ip, ns=None):
        self.name = name
        self.ip = ip
        self.ns = ns

    def __repr__(self):
        return "Host(%s %s)" % (self.name, self.ip)


def netns_permitted():
    """True when this process may create namespaces and the tools for partitions exist."""
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nft") is None:
        return False
    probe = "chaosprobe%d" % os.getpid()
    if run(["ip", "netns", "add", probe], check=False).returncode != 0:
        return False
    ok = run(["ip", "netns", "exec", probe, "nft", "add", "table", "inet", NFT_TABLE],
             check=False).returncode == 0
    run(["ip", "netns", "del", probe], check=False)
    return ok


def used_subnets():
    out = run(["ip", "-o", "-4", "addr", "show"], check=False).stdout
    nets = set()
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            cidr = parts[parts.index("inet") + 1]
            nets.add(ipaddress.ip_interface(cidr).network)
    out = run(["ip", "-o", "-4", "route", "show"], check=False).stdout
    for line in out.splitlines():
        first = line.split()[0] if line.split() else ""
        try:
            nets.add(ipaddress.ip_network(first, strict=False))
        except ValueError:
            pass
    return nets


def pick_subnet(run_id):
    used = used_subnets()
    for i in range(250):
        third = (run_id + i) % 250 + 1
        net = ipaddress.ip_network("10.77.%d.0/24" % third)
        if not any(net.overlaps(u) for u in used if u.prefixlen > 0):
            return net
    raise RuntimeError("no free 10.77.x.0/24 subnet on this machine")


class NetnsTopology:
    reduced = False
    mode = "netns"

    def __init__(self, run_id, host_names):
        self.run_id = run_id
        self.host_names = list(host_names)
        self.bridge = "chb%d" % run_id
        self.hosts = {}
        self.controller_ip = None
        self.created_ns = []
        self.bridge_created = False

    def ns_name(self, host_name):
        return "chaos%d-%s" % (self.run_id, host_name)

    def create(self):
        net = pick_subnet(self.run_id)
        addrs = list(net.hosts())
        self.controller_ip = str(addrs[0])
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        self.bridge_created = True
        run(["ip", "addr", "add", "%s/%d" % (self.controller_ip, net.prefixlen), "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        for i, name in enumerate(self.host_names):
            ns = self.ns_name(name)
            run(["ip", "netns", "add", ns])
            self.created_ns.append(ns)
            outer, inner = "ch%dv%d" % (self.run_id, i), "ch%dp%d" % (self.run_id, i)
            ip = str(addrs[i + 1])
            run(["ip", "link", "add", outer, "type", "veth", "peer", "name", inner])
            run(["ip", "link", "set", inner, "netns", ns])
            run(["ip", "link", "set", outer, "master", self.bridge])
            run(["ip", "link", "set", outer, "up"])
            run(["ip", "-n", ns, "link", "set", inner, "name", "eth0"])
            run(["ip", "-n", ns, "addr", "add", "%s/%d" % (ip, net.prefixlen), "dev", "eth0"])
            run(["ip", "-n", ns, "link", "set", "eth0", "up"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            self.nft(ns, "add table inet %s" % NFT_TABLE)
            self.nft(ns, "add chain inet %s input { type filter hook input priority 0 ; "
                         "policy accept ; }" % NFT_TABLE)
            self.hosts[name] = Host(name, ip, ns)
        return self

    def nft(self, ns, rule):
        run(["ip", "netns", "exec", ns, "nft"] + rule.split())

    def host(self, name):
        return self.hosts[name]

    def wrap(self, host, argv):
        """The argv that runs argv inside host's namespace (ip netns exec execs: same pid)."""
        return ["ip", "netns", "exec", host.ns] + list(argv)

    def port(self, host, default):
        return default

    def nft_all(self, rules):
        """Applies {ns: rule} in parallel: one nft process per namespace, so a cut or a heal
        takes effect everywhere within a few ms instead of one rule after another."""
        procs = [subprocess.Popen(["ip", "netns", "exec", ns, "nft"] + rule.split(),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
                 for ns, rule in rules.items()]
        failed = []
        for p in procs:
            try:
                _, err = p.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                err = "timed out"
            if p.returncode != 0:
                failed.append("%s: %s" % (" ".join(p.args), err.strip()))
        if failed:
            raise RuntimeError("nft failed: " + "; ".join(failed))

    def drop_rules(self, from_hosts, to_hosts, rules):
        for dst in to_hosts:
            srcs = [src.ip for src in from_hosts if src is not dst]
            if srcs:
                rules.setdefault(dst.ns, []).extend(srcs)

    def apply_drops(self, rules):
        self.nft_all({ns: "add rule inet %s input ip saddr { %s } drop" % (
            NFT_TABLE, ", ".join(sorted(set(ips)))) for ns, ips in rules.items()})

    def drop(self, from_hosts, to_hosts):
        """Packets from every host in from_hosts to every host in to_hosts are dropped."""
        rules = {}
        self.drop_rules(from_hosts, to_hosts, rules)
        self.apply_drops(rules)

    def partition(self, side_a, side_b):
        rules = {}
        self.drop_rules(side_a, side_b, rules)
        self.drop_rules(side_b, side_a, rules)
        self.apply_drops(rules)

    def heal(self):
        self.nft_all({h.ns: "flush chain inet %s input" % NFT_TABLE for h in self.hosts.values()})

    def pids_inside(self):
        pids = []
        for ns in self.created_ns:
            out = run(["ip", "netns", "pids", ns], check=False).stdout
            pids += [int(x) for x in out.split() if x.isdigit()]
        return pids

    def destroy(self):
        for ns in self.created_ns:
            run(["ip", "netns", "del", ns], check=False)
        self.created_ns = []
        if self.bridge_created:
            run(["ip", "link", "del", self.bridge], check=False)
            self.bridge_created = False


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class LoopbackTopology:
    """Reduced mode: everything on 127.0.0.1; partitions become SIGSTOP of the isolated side."""

    reduced = True
    mode = "loopback (reduced: partitions are SIGSTOP of the isolated side)"

    def __init__(self, run_id, host_names):
        self.run_id = run_id
        self.host_names = list(host_names)
        self.hosts = {}
        self.ports = {}
        self.controller_ip = "127.0.0.1"

    def create(self):
        for name in self.host_names:
            self.hosts[name] = Host(name, "127.0.0.1")
        return self

    def host(self, name):
        return self.hosts[name]

    def wrap(self, host, argv):
        return list(argv)

    def port(self, host, default):
        if host.name not in self.ports:
            taken = set(self.ports.values())
            p = free_port()
            while p in taken:
                p = free_port()
            self.ports[host.name] = p
        return self.ports[host.name]

    def heal(self):
        pass

    def pids_inside(self):
        return []

    def destroy(self):
        pass
