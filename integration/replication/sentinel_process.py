"""A redis-sentinel (or vigil-sentinel) process watching one master named `mym` on 127.0.0.1,
for the replication scripts that need a real sentinel: free port, temp dir, killed by pid."""

import os
import shutil
import signal
import subprocess
import tempfile

import repl_harness as rh


class SentinelProcess:
    def __init__(self, binary, master_port, quorum=1, down_after_ms=2000, extra_lines=()):
        self.dir = tempfile.mkdtemp(prefix="vigil-it-sentinel-")
        self.port = rh.free_port()
        conf = os.path.join(self.dir, "sentinel.conf")
        lines = ["port %d" % self.port, "bind 127.0.0.1", "dir %s" % self.dir,
                 "logfile %s" % os.path.join(self.dir, "sentinel.log"),
                 "sentinel monitor mym 127.0.0.1 %d %d" % (master_port, quorum),
                 "sentinel down-after-milliseconds mym %d" % down_after_ms,
                 "sentinel failover-timeout mym 10000"] + list(extra_lines)
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen([binary, conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        if not rh.wait_for(self._answers_ping, 10):
            log = self.log_tail()
            self.stop()
            raise RuntimeError("sentinel did not start: " + log)

    def _answers_ping(self):
        c = rh.RespConn(self.port, timeout=1.0)
        try:
            return rh.decode(c.call("PING")) == "PONG"
        finally:
            c.close()

    def call(self, *args):
        c = rh.RespConn(self.port, timeout=5.0)
        try:
            return rh.decode(c.call(*args))
        finally:
            c.close()

    def master_addr(self):
        r = self.call("SENTINEL", "get-master-addr-by-name", "mym")
        return (r[0], int(r[1])) if r else None

    def log_tail(self, n=20):
        try:
            with open(os.path.join(self.dir, "sentinel.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
