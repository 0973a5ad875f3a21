#!/usr/bin/env python3
"""A Vigil fleet that speaks only TLS fails over: three TLS-only vigil-datanodes (port 0,
tls-port, tls-replication yes) and three vigil-sentinels with tls-port and tls-replication, so
every link (sentinel to node, sentinel to sentinel through the hellos, replica to master) is TLS.
The sentinels discover each other and the replicas, a SIGKILLed master is replaced while
vigil-writer (libvigil-client with TLS to sentinels and nodes) writes through it, and
redis-cli --tls and redis-py (ssl=True) ask the sentinels for the new master. Bad input on the
sentinel's TLS port: plain text is closed and logged with the peer; a sentinel whose CA does not
sign the nodes' certificates logs the refused handshake and sees the master down.
Certificates are made at test time by gen-certs.sh; every process is killed by pid."""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "datanode"))
import harness  # noqa: E402
from harness import HOST, Results, free_port  # noqa: E402


def parse_args():
    import argparse
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil", required=True)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--writer", required=True, help="vigil-writer (libvigil-client)")
    p.add_argument("--redis-cli", default=shutil.which("redis-cli") or "redis-cli")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


ARGS = parse_args()
R = Results(ARGS.verbose)
WORK = tempfile.mkdtemp(prefix="vigil-sentinel-tls-")
CERTS = os.path.join(WORK, "certs")
PROCS = []
WRITERS = []


def wait_until(predicate, timeout, step=0.1):
    """Polls until predicate holds (a failed connection counts as not yet) or timeout passed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return True
        except (OSError, ssl.SSLError, ConnectionError, TypeError, ValueError, IndexError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def cert(name):
    return os.path.join(CERTS, name)


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(cert("ca.crt"))
    ctx.load_cert_chain(cert("client.crt"), cert("client.key"))
    return ctx


def tls_command(port, *args, timeout=3.0):
    """One command over TLS, its decoded reply (RespError for an error)."""
    with socket.create_connection((HOST, port), timeout=timeout) as raw:
        with context().wrap_socket(raw) as s:
            s.settimeout(timeout)
            s.sendall(harness.encode_command(args))
            buf = bytearray()
            while True:
                r = harness._parse_at(buf, 0)
                if r is not harness._NEED_MORE:
                    return harness.decode(r[0])
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                buf += chunk


def answers(port):
    try:
        return tls_command(port, "PING", timeout=1.0) == "PONG"
    except (OSError, ssl.SSLError, ConnectionError):
        return False


class Process:
    def __init__(self, name, argv, port):
        self.name, self.port = name, port
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        self.argv = argv
        self.proc = None

    def start(self):
        with open(os.path.join(self.dir, "stdout.log"), "ab") as log:
            self.proc = subprocess.Popen(self.argv(self), cwd=self.dir, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        PROCS.append(self)
        if not wait_until(lambda: answers(self.port), 10):
            raise RuntimeError("%s not answering over TLS on %d:\n%s" % (
                self.name, self.port, self.log()))
        return self

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log(self):
        text = ""
        for f in ("server.log", "stdout.log"):
            p = os.path.join(self.dir, f)
            if os.path.exists(p):
                with open(p, errors="replace") as fh:
                    text += fh.read()
        return text


def tls_args(ca="ca.crt"):
    return ["--tls-cert-file", cert("vigil.crt"), "--tls-key-file", cert("vigil.key"),
            "--tls-ca-cert-file", cert(ca), "--tls-replication", "yes"]


def data_node(name, replicaof=None):
    port = free_port()

    def argv(p):
        a = [ARGS.vigil, "--port", "0", "--tls-port", str(p.port), "--bind", HOST, "--dir",
             p.dir, "--save", "", "--appendonly", "no", "--logfile", "server.log",
             "--repl-diskless-sync-delay", "0"] + tls_args()
        if replicaof:
            a += ["--replicaof", HOST, str(replicaof)]
        return a
    return Process(name, argv, port)


def sentinel(name, master_port, ca="ca.crt"):
    port = free_port()

    def argv(p):
        conf = os.path.join(p.dir, "sentinel.conf")
        with open(conf, "w") as f:
            f.write("port 0\ntls-port %d\nbind %s\nlogfile server.log\n" % (p.port, HOST))
            f.write("tls-cert-file %s\ntls-key-file %s\ntls-ca-cert-file %s\n" % (
                cert("vigil.crt"), cert("vigil.key"), cert(ca)))
            f.write("tls-replication yes\ntls-cluster yes\n")
            if ca != "ca.crt":
                f.write("tls-auth-clients no\n")  # our test client's CA is not its CA
            f.write("sentinel monitor mymaster %s %d 2\n" % (HOST, master_port))
            f.write("sentinel down-after-milliseconds mymaster 1000\n")
            f.write("sentinel failover-timeout mymaster 10000\n")
        return [ARGS.vigil_sentinel, conf]
    return Process(name, argv, port)


def writer_log():
    with open(os.path.join(WORK, "writer.err"), errors="replace") as f:
        return f.read()[-3000:]


def master_of(sentinel_port):
    reply = tls_command(sentinel_port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
    return int(reply[1]) if isinstance(reply, list) else None


def field(sentinel_port, name):
    reply = tls_command(sentinel_port, "SENTINEL", "MASTER", "mymaster")
    fields = dict(zip(reply[::2], reply[1::2]))
    return fields.get(name.encode(), b"").decode()


def fleet():
    master = data_node("master").start()
    replicas = [data_node("replica%d" % i, master.port).start() for i in range(2)]
    R.check(wait_until(lambda: b"connected_slaves:2" in tls_command(
        master.port, "INFO", "replication"), 15), "replicas sync from the master over TLS")
    sentinels = [sentinel("sentinel%d" % i, master.port).start() for i in range(3)]

    def discovered():
        return all(field(s.port, "num-other-sentinels") == "2" and
                   field(s.port, "num-slaves") == "2" for s in sentinels)
    R.check(wait_until(discovered, 30),
            "sentinels find each other (hellos over TLS) and both replicas",
            sentinels[0].log()[-2000:])

    cli = [ARGS.redis_cli, "-h", HOST, "-p", str(sentinels[0].port), "--tls", "--cacert",
           cert("ca.crt"), "--cert", cert("client.crt"), "--key", cert("client.key")]
    out = subprocess.run(cli + ["SENTINEL", "get-master-addr-by-name", "mymaster"],
                         capture_output=True, text=True, timeout=10).stdout.split()
    R.check(out == [HOST, str(master.port)], "redis-cli --tls asks a sentinel", repr(out))

    stop_file = os.path.join(WORK, "writer.stop")
    ack_log = os.path.join(WORK, "acks.log")
    writer = subprocess.Popen(
        [ARGS.writer, "--sentinels", ",".join("%s:%d" % (HOST, s.port) for s in sentinels),
         "--master", "mymaster", "--duration-ms", "60000", "--rate", "200", "--wait-every", "10",
         "--ack-log", ack_log, "--stop-file", stop_file, "--verify", "--tls", "--cacert",
         cert("ca.crt"), "--cert", cert("client.crt"), "--key", cert("client.key")],
        stdout=subprocess.PIPE, stderr=open(os.path.join(WORK, "writer.err"), "wb"))
    WRITERS.append(writer)

    def acked():
        with open(ack_log) as f:
            return len(f.readlines())
    R.check(wait_until(lambda: acked() > 100, 15),
            "the SDK writes over TLS before the fault")

    master.kill()
    t0 = time.monotonic()
    ports = {r.port for r in replicas}
    R.check(wait_until(lambda: all(master_of(s.port) in ports for s in sentinels), 30),
            "every sentinel names a replica as the new master after the master is killed",
            sentinels[0].log()[-3000:])
    elapsed = time.monotonic() - t0
    if R.verbose:
        print("failover seen by all three in %.2f s" % elapsed)
    new_port = master_of(sentinels[0].port)
    R.check(wait_until(lambda: b"role:master" in tls_command(new_port, "INFO", "replication"),
                       10), "the promoted node is a master")
    other = next(r for r in replicas if r.port != new_port)
    R.check(wait_until(lambda: b"master_port:%d" % new_port in tls_command(
        other.port, "INFO", "replication"), 20), "the other replica follows the new master")

    before = acked()  # the master is dead: what is acknowledged from now on is on the new one
    R.check(wait_until(lambda: acked() > before + 50, 10),
            "the SDK follows the failover over TLS and writes on", writer_log())
    open(stop_file, "w").close()
    out, _ = writer.communicate(timeout=60)
    R.check(writer.returncode == 0, "vigil-writer exits 0", "exit %s; %s" % (
        writer.returncode, writer_log()))
    import json
    summary = json.loads(out.decode().strip().splitlines()[-1])
    if R.verbose:
        print("writer: %s" % summary)
    R.check(writer.returncode == 0 and summary["lost_wait"] == 0,
            "no WAIT-acknowledged write lost across the TLS failover", repr(summary))

    from redis.sentinel import Sentinel  # redis-py
    ssl_kwargs = dict(ssl=True, ssl_ca_certs=cert("ca.crt"), ssl_certfile=cert("client.crt"),
                      ssl_keyfile=cert("client.key"), ssl_check_hostname=False)
    s = Sentinel([(HOST, x.port) for x in sentinels], sentinel_kwargs=ssl_kwargs,
                 socket_timeout=5, **ssl_kwargs)
    m = s.master_for("mymaster", socket_timeout=5)
    m.set("after-failover", "yes")
    R.check(m.get("after-failover") == b"yes", "redis-py Sentinel over TLS writes to the new master")
    R.check(s.discover_master("mymaster")[1] == new_port, "redis-py discovers the new master")

    # Plain text on the sentinel's TLS port: closed at once and logged with the peer.
    with socket.create_connection((HOST, sentinels[1].port), timeout=3) as raw:
        raw.sendall(b"*1\r\n$4\r\nPING\r\n")
        try:
            data = raw.recv(100)
        except ConnectionResetError:
            data = b""
    R.check(not data.startswith(b"+PONG"), "plain RESP on a sentinel's TLS port is refused",
            repr(data))
    R.check(wait_until(lambda: "TLS handshake with client 127.0.0.1:" in sentinels[1].log(), 3),
            "the refused plain-text client is logged with its address", sentinels[1].log()[-800:])

    # A sentinel whose CA signed nothing here: its links fail the handshake, it says so, and it
    # sees the master as unreachable.
    stranger = sentinel("stranger", new_port, ca="other-ca.crt").start()
    R.check(wait_until(lambda: "TLS handshake with 127.0.0.1:%d failed" % new_port in
                       stranger.log(), 10),
            "a wrong CA on the links is logged naming the node", stranger.log()[-800:])
    R.check(wait_until(lambda: "s_down" in field(stranger.port, "flags") or
                       "disconnected" in field(stranger.port, "flags"), 10),
            "the stranger sees the master down", field(stranger.port, "flags"))


def main():
    harness.require_tool("openssl")
    rc = subprocess.run(["bash", os.path.join(HERE, "gen-certs.sh"), CERTS],
                        capture_output=True, text=True)
    if rc.returncode != 0:
        print("FATAL: gen-certs.sh failed: " + rc.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    try:
        R.run("TLS fleet", fleet)
    finally:
        for w in WRITERS:
            if w.poll() is None:
                w.kill()
                w.wait(timeout=10)
        for p in PROCS:
            p.kill()
        shutil.rmtree(WORK, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
