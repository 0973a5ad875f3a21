#!/usr/bin/env python3
"""TLS on vigil-datanode and vigil-cli against the real tools: redis-cli --tls, redis-py with
ssl=True, vigil-cli --tls, replication over TLS both ways with redis-server 7.0, CONFIG SET of the
certificate files (reload, a bad file keeps the old context), and bad input: plain text on the
TLS port, a TLS hello on the plain port, a client certificate from another CA, an expired one,
none when required. Certificates are made at test time by gen-certs.sh into a temp dir."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "datanode"))
import harness  # noqa: E402
from harness import HOST, RespConn, Results, free_port, wait_until  # noqa: E402


def parse_args():
    import argparse
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil", required=True)
    p.add_argument("--vigil-cli", required=True)
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--redis-cli", default=shutil.which("redis-cli") or "redis-cli")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


ARGS = parse_args()
R = Results(ARGS.verbose)
CERTS = tempfile.mkdtemp(prefix="vigil-tls-certs-")


def cert(name):
    return os.path.join(CERTS, name)


def tls_server_args(tls_port, extra=()):
    """A node with a TLS port beside its plain one, requiring client certificates."""
    return ["--tls-port", tls_port, "--tls-cert-file", cert("server.crt"),
            "--tls-key-file", cert("server.key"), "--tls-ca-cert-file", cert("ca.crt")] + list(extra)


def repl_tls_args(tls_port):
    """Both ways usable: what replication nodes present to each other."""
    return ["--tls-port", tls_port, "--tls-cert-file", cert("vigil.crt"),
            "--tls-key-file", cert("vigil.key"), "--tls-ca-cert-file", cert("ca.crt"),
            "--tls-replication", "yes", "--repl-diskless-sync-delay", "0"]


def client_context(certfile="client.crt", keyfile="client.key", cafile="ca.crt"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(cert(cafile))
    if certfile:
        ctx.load_cert_chain(cert(certfile), cert(keyfile))
    return ctx


def tls_call(port, *args, ctx=None, timeout=5.0):
    """One command over TLS; returns the raw reply bytes (first read) or raises."""
    ctx = ctx or client_context()
    with socket.create_connection((HOST, port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(harness.encode_command(args))
            return s.recv(4096)


def tls_refused(port, ctx):
    """True when the handshake or the first command fails (the server refused us)."""
    try:
        reply = tls_call(port, "PING", ctx=ctx)
        return reply == b""
    except (ssl.SSLError, OSError):
        return True


def run(cmd, timeout=15):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def start(kind, extra):
    binary = ARGS.vigil if kind == "vigil" else ARGS.redis_server
    return harness.Server(kind, binary, ["--save", ""] + [str(a) for a in extra]).start()


def wait_tls_ready(port, timeout=10.0):
    def ok():
        try:
            return tls_call(port, "PING", timeout=1.0).startswith(b"+PONG")
        except (ssl.SSLError, OSError):
            return False
    return wait_until(ok, timeout)


# --------------------------------------------------------------------------- clients

def clients_and_tools():
    tport = free_port()
    node = start("vigil", tls_server_args(tport))
    try:
        R.check(wait_tls_ready(tport), "vigil serves TLS on tls-port", node.log_tail())
        base = [ARGS.redis_cli, "-p", tport, "--tls", "--cacert", cert("ca.crt"),
                "--cert", cert("client.crt"), "--key", cert("client.key")]
        rc, out, err = run(base + ["SET", "k", "over-tls"])
        R.check(rc == 0 and out == "OK", "redis-cli --tls SET", out + err)
        rc, out, err = run(base + ["GET", "k"])
        R.check(out == "over-tls", "redis-cli --tls GET", out + err)

        import redis  # redis-py
        r = redis.Redis(host=HOST, port=tport, ssl=True, ssl_ca_certs=cert("ca.crt"),
                        ssl_certfile=cert("client.crt"), ssl_keyfile=cert("client.key"),
                        ssl_check_hostname=False, socket_timeout=5)
        R.check(r.get("k") == b"over-tls", "redis-py ssl=True GET")
        pipe = r.pipeline(transaction=False)
        for i in range(2000):
            pipe.set("p%d" % i, "v" * 100)
        pipe.execute()
        big = "x" * (3 << 20)
        r.set("big", big)
        R.check(r.get("big") == big.encode(), "redis-py ssl=True 3 MB value round trip")
        R.check(r.dbsize() == 2002, "redis-py ssl=True pipelined 2000 SETs", str(r.dbsize()))
        r.close()

        cli = [ARGS.vigil_cli, "-p", tport, "--tls", "--cacert", cert("ca.crt"),
               "--cert", cert("client.crt"), "--key", cert("client.key")]
        rc, out, err = run(cli + ["GET", "k"])
        R.check(rc == 0 and out == "over-tls", "vigil-cli --tls GET", out + err)
        rc, out, err = run([ARGS.vigil_cli, "-p", tport, "--tls", "--insecure",
                            "--cert", cert("client.crt"), "--key", cert("client.key"), "PING"])
        R.check(out == "PONG", "vigil-cli --tls --insecure", out + err)
        rc, out, err = run([ARGS.vigil_cli, "-p", tport, "--tls", "--cacert",
                            cert("other-ca.crt"), "--cert", cert("client.crt"), "--key",
                            cert("client.key"), "PING"])
        R.check(rc != 0 and "Could not negotiate a TLS connection" in err,
                "vigil-cli --tls with the wrong CA refuses the server", out + err)

        info = RespConn(node.port).call("INFO", "server")
        R.check(b"tcp_port:%d" % node.port in info.raw, "INFO tcp_port is the plain port")

        # tls-auth-clients
        no_cert = client_context(certfile=None)
        R.check(tls_refused(tport, no_cert), "no client certificate refused (auth yes)")
        R.check(wait_until(lambda: "peer did not return a certificate" in node.log(), 3),
                "missing client certificate logged", node.log_tail())
        plain = RespConn(node.port)
        plain.call("CONFIG", "SET", "tls-auth-clients", "optional")
        R.check(not tls_refused(tport, no_cert), "auth optional: no certificate accepted")
        R.check(not tls_refused(tport, client_context()), "auth optional: certificate accepted")
        R.check(tls_refused(tport, client_context("stranger.crt", "stranger.key")),
                "auth optional: a certificate from another CA is still refused")
        plain.call("CONFIG", "SET", "tls-auth-clients", "no")
        R.check(not tls_refused(tport, no_cert), "auth no: no certificate accepted")
        plain.call("CONFIG", "SET", "tls-auth-clients", "yes")

        # bad certificates
        R.check(tls_refused(tport, client_context("stranger.crt", "stranger.key")),
                "client certificate from another CA refused")
        R.check(wait_until(lambda: "unknown ca" in node.log() or
                           "certificate verify failed" in node.log(), 3),
                "wrong-CA client logged", node.log_tail())
        R.check(tls_refused(tport, client_context("expired.crt", "expired.key")),
                "expired client certificate refused")
        R.check(wait_until(lambda: "certificate has expired" in node.log(), 3),
                "expired client certificate logged with the reason", node.log_tail())
        R.check(tls_refused(tport, client_context(cafile="other-ca.crt")),
                "client verifying with the wrong CA refuses the server")

        # plain text on the TLS port: closed at once, not left hanging
        with socket.create_connection((HOST, tport), timeout=3) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            t0 = time.monotonic()
            try:
                data = s.recv(100)
            except ConnectionResetError:
                data = b""
            R.check(not data.startswith(b"+PONG") and time.monotonic() - t0 < 2,
                    "plain RESP on the TLS port is closed", repr(data))
        R.check(wait_until(lambda: "wrong version number" in node.log() or
                           "http request" in node.log() or "record" in node.log(), 3),
                "plain text on the TLS port logged with the peer", node.log_tail())
        # a TLS hello on the plain port: closed at once, not left waiting for a newline
        t0 = time.monotonic()
        try:
            with socket.create_connection((HOST, node.port), timeout=3) as raw:
                with client_context().wrap_socket(raw):
                    pass
            refused = False
        except (ssl.SSLError, OSError):
            refused = True
        R.check(refused and time.monotonic() - t0 < 2, "TLS hello on the plain port refused fast")
        R.check(wait_until(lambda: "TLS handshake on a plain port" in node.log(), 3),
                "TLS hello on the plain port logged", node.log_tail())
        R.check(RespConn(node.port).call("PING").raw == b"+PONG\r\n", "still serving after all that")

        # CONFIG SET of the files reloads; a bad file keeps the old context
        reply = plain.call("CONFIG", "SET", "tls-cert-file", cert("missing.crt"))
        R.check(reply.kind == "-" and b"Unable to update TLS configuration" in reply.value,
                "CONFIG SET tls-cert-file <missing> is refused", repr(reply.raw))
        got = plain.call("CONFIG", "GET", "tls-cert-file").value[1].value.decode()
        R.check(got == cert("server.crt"), "the old tls-cert-file stays", got)
        R.check(not tls_refused(tport, client_context()), "the old context still serves")
        reply = plain.call("CONFIG", "SET", "tls-cert-file", cert("vigil.crt"),
                           "tls-key-file", cert("vigil.key"))
        R.check(reply.raw == b"+OK\r\n", "CONFIG SET of a new certificate pair", repr(reply.raw))
        with socket.create_connection((HOST, tport), timeout=3) as raw:
            with client_context().wrap_socket(raw) as s:
                subject = dict(x[0] for x in s.getpeercert()["subject"])
        R.check(subject.get("commonName") == "Generic-cert", "new connections get the new cert",
                str(subject))
        # an encrypted key needs tls-key-file-pass
        enc = cert("vigil.key.enc")
        run(["openssl", "rsa", "-in", cert("vigil.key"), "-out", enc, "-aes256",
             "-passout", "pass:1234"])
        reply = plain.call("CONFIG", "SET", "tls-key-file", enc)
        R.check(reply.kind == "-", "encrypted key without its passphrase refused", repr(reply.raw))
        reply = plain.call("CONFIG", "SET", "tls-key-file-pass", "1234", "tls-key-file", enc)
        R.check(reply.raw == b"+OK\r\n", "encrypted key with tls-key-file-pass", repr(reply.raw))
        R.check(not tls_refused(tport, client_context()), "serving with the encrypted key")
        # protocols
        reply = plain.call("CONFIG", "SET", "tls-protocols", "TLSv1.2")
        ctx13 = client_context()
        ctx13.minimum_version = ssl.TLSVersion.TLSv1_3
        R.check(reply.raw == b"+OK\r\n" and tls_refused(tport, ctx13),
                "tls-protocols TLSv1.2 refuses a TLSv1.3-only client")
        reply = plain.call("CONFIG", "SET", "tls-protocols", "TLSv1.4")
        R.check(reply.kind == "-", "tls-protocols TLSv1.4 refused", repr(reply.raw))
        plain.call("CONFIG", "SET", "tls-protocols", "")
        # the TLS port moves at run time
        new_port = free_port()
        reply = plain.call("CONFIG", "SET", "tls-port", str(new_port))
        R.check(reply.raw == b"+OK\r\n" and wait_tls_ready(new_port), "CONFIG SET tls-port",
                repr(reply.raw))
        R.check(node.alive(), "vigil alive at the end of the client checks")
    finally:
        node.stop()


def tls_only_node():
    """port 0 + tls-port N: only the TLS listener."""
    tport = free_port()
    tmp = tempfile.mkdtemp(prefix="vigil-tls-only-")
    log = os.path.join(tmp, "server.log")
    proc = subprocess.Popen([ARGS.vigil, "--port", "0", "--bind", HOST, "--dir", tmp, "--save", "",
                             "--logfile", log] + [str(a) for a in tls_server_args(tport)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        R.check(wait_tls_ready(tport), "port 0 + tls-port serves TLS")
        reply = tls_call(tport, "INFO", "server")
        R.check(b"tcp_port:%d" % tport in reply, "INFO tcp_port is the TLS port with port 0")
        rc, out, err = run([ARGS.redis_cli, "-p", tport, "--tls", "--cacert", cert("ca.crt"),
                            "--cert", cert("client.crt"), "--key", cert("client.key"), "PING"])
        R.check(out == "PONG", "redis-cli --tls on a TLS-only node", out + err)
        # No config file and no certificate: TLS cannot start, and says so.
        bad = subprocess.run([ARGS.vigil, "--port", "0", "--tls-port", str(free_port()),
                              "--save", ""], capture_output=True, text=True, timeout=10)
        R.check(bad.returncode != 0 and "No tls-cert-file configured" in bad.stdout + bad.stderr,
                "tls-port without a certificate refuses to start", bad.stdout + bad.stderr)
    finally:
        proc.kill()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- replication

def replication(master_kind, replica_kind):
    name = "%s master -> %s replica over TLS" % (master_kind, replica_kind)
    mport, rport = free_port(), free_port()
    master = start(master_kind, repl_tls_args(mport))
    replica = start(replica_kind, repl_tls_args(rport))
    try:
        m = RespConn(master.port)
        for i in range(500):
            m.call("SET", "key:%d" % i, "v%d" % i)
        m.call("RPUSH", "list", *["e%d" % i for i in range(100)])
        r = RespConn(replica.port)
        r.call("REPLICAOF", HOST, str(mport))

        def linked():
            info = r.call("INFO", "replication").raw
            return b"master_link_status:up" in info
        R.check(wait_until(linked, 20), name + ": link up", replica.log_tail())
        m.call("SET", "after-sync", "yes")
        m.call("INCR", "counter")
        R.check(wait_until(lambda: r.call("GET", "after-sync").raw == b"$3\r\nyes\r\n", 10),
                name + ": stream applied", replica.log_tail())
        R.check(r.call("DBSIZE").raw == b":503\r\n", name + ": full dataset",
                repr(r.call("DBSIZE").raw))
        info = m.call("INFO", "replication").raw
        R.check(b"port=%d" % rport in info, name + ": replica announced its TLS port",
                info.decode(errors="replace"))
        # The link really is TLS: the master's TLS port was the only one given.
        R.check(b"master_port:%d" % mport in r.call("INFO", "replication").raw,
                name + ": replica follows the TLS port")
    finally:
        replica.stop()
        master.stop()


def replication_refused_without_ca():
    """A replica whose client certificate the master's CA did not sign never links up, and its
    log says why."""
    mport, rport = free_port(), free_port()
    master = start("vigil", repl_tls_args(mport))
    replica = start("vigil", repl_tls_args(rport) + ["--tls-client-cert-file", cert("stranger.crt"),
                                                     "--tls-client-key-file", cert("stranger.key")])
    try:
        RespConn(replica.port).call("REPLICAOF", HOST, str(mport))
        time.sleep(2)  # the replica retries every second: it stays down through the retries
        info = RespConn(replica.port).call("INFO", "replication").raw
        R.check(b"master_link_status:down" in info, "replica with a foreign cert stays down")
        R.check("TLS" in replica.log() or "SSL" in replica.log() or
                "Error accepting a client connection" in master.log(),
                "foreign replica's failure is logged", replica.log_tail() + master.log_tail())
        R.check(master.alive() and replica.alive(), "both alive after the refused link")
    finally:
        replica.stop()
        master.stop()


def main():
    harness.require_tool("openssl")
    rc = subprocess.run(["bash", os.path.join(HERE, "gen-certs.sh"), CERTS],
                        capture_output=True, text=True)
    if rc.returncode != 0:
        print("FATAL: gen-certs.sh failed: " + rc.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    try:
        R.run("clients and tools", clients_and_tools)
        R.run("TLS-only node", tls_only_node)
        for m, r in (("redis", "vigil"), ("vigil", "redis"), ("vigil", "vigil")):
            R.run("replication %s->%s" % (m, r), lambda m=m, r=r: replication(m, r))
        R.run("replication refused", replication_refused_without_ca)
    finally:
        shutil.rmtree(CERTS, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
