"""The writers of one round, run in the client's namespace.

Two writers per round, both speaking the vigil-writer contract (build/bin/vigil-writer when it
is built, else py_writer.py): one writes plain SETs at --rate, the other follows every SET with
`WAIT <majority-1> <timeout>` at --wait-rate, so a stalled WAIT never slows the plain stream.
They stop when the round's stop file appears; every wait is bounded and a writer that does not
stop in time is killed by pid.
"""

import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def writer_command(build_dir, explicit=""):
    native = explicit or os.path.join(build_dir, "bin", "vigil-writer")
    if os.path.isfile(native) and os.access(native, os.X_OK):
        return [native], "vigil-writer"
    return [sys.executable, os.path.join(HERE, "py_writer.py")], "py_writer.py (redis-py stand-in)"


class Ack:
    __slots__ = ("ms", "key", "kind", "addr")

    def __init__(self, ms, key, kind, addr):
        self.ms = ms
        self.key = key
        self.kind = kind
        self.addr = addr


class WriterRun:
    def __init__(self, name, argv, topo, host, workdir):
        self.name = name
        self.ack_log = os.path.join(workdir, "%s.acks" % name)
        self.out_path = os.path.join(workdir, "%s.out" % name)
        self.argv = argv + ["--ack-log", self.ack_log]
        self.topo = topo
        self.host = host
        self.popen = None
        self.result = None

    def start(self):
        out = open(self.out_path, "wb")
        try:
            self.popen = subprocess.Popen(self.topo.wrap(self.host, self.argv),
                                          stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT)
        finally:
            out.close()

    def finish(self, timeout):
        """Waits (bounded) for the writer to exit after the stop file appeared."""
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.popen = None
        self.result = {}
        with open(self.out_path, errors="replace") as f:
            for line in f.read().splitlines():
                line = line.strip()
                if line.startswith("{"):
                    try:
                        self.result = json.loads(line)
                    except ValueError:
                        pass

    def kill(self):
        if self.popen is not None and self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.popen = None

    def acks(self):
        out = []
        if not os.path.exists(self.ack_log):
            return out
        with open(self.ack_log, errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 4 and parts[0].isdigit():
                    out.append(Ack(int(parts[0]), parts[1], parts[2], parts[3]))
        return out


class Workload:
    def __init__(self, writer_argv, topo, client_host, sentinel_addrs, master_name, workdir,
                 round_no, rate, wait_rate, wait_replicas, max_duration_s):
        self.stop_file = os.path.join(workdir, "stop-r%d" % round_no)
        common = ["--sentinels", ",".join(sentinel_addrs), "--master", master_name,
                  "--duration-ms", str(int(max_duration_s * 1000)), "--stop-file", self.stop_file]
        self.writers = [
            WriterRun("r%d-plain" % round_no, writer_argv + common + [
                "--prefix", "r%d:p:" % round_no, "--rate", str(rate)], topo, client_host, workdir),
        ]
        if wait_rate > 0:
            self.writers.append(WriterRun("r%d-wait" % round_no, writer_argv + common + [
                "--prefix", "r%d:w:" % round_no, "--rate", str(wait_rate), "--wait-every", "1",
                "--wait-replicas", str(wait_replicas), "--wait-timeout-ms", "500"],
                topo, client_host, workdir))

    def start(self):
        for w in self.writers:
            w.start()

    def stop(self, timeout=15):
        with open(self.stop_file, "w"):
            pass
        deadline = time.monotonic() + timeout
        for w in self.writers:
            w.finish(max(1.0, deadline - time.monotonic()))

    def kill(self):
        for w in self.writers:
            w.kill()

    def acks(self):
        out = []
        for w in self.writers:
            out += w.acks()
        out.sort(key=lambda a: a.ms)
        return out

    def all_writing(self):
        """Whether every writer has had a write acknowledged."""
        return all(os.path.exists(w.ack_log) and os.path.getsize(w.ack_log) > 0
                   for w in self.writers)

    def results(self):
        return [w.result or {} for w in self.writers]
