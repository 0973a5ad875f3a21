#!/usr/bin/env python3
"""An old master that acknowledged no write after the promotion rejoins with a partial resync.

SIGSTOP the master (writes flowing until just before) until the sentinels promote a replica,
then SIGCONT it. While
it was stopped and after it resumed, its own replication stream moved on only with traffic that
carries no data: the periodic PING and the sentinels' hello PUBLISHes. It drops that tail when it
is demoted (datanode/DESIGN.md, "Rejoining after a failover") and continues from the new master's
backlog: the new master's sync_partial_ok rises by one for it and sync_full does not move. The
data nodes run Redis's default repl-diskless-sync-delay (5 s), which a full resync would wait
out, so the link must be up within 1 s of the demotion.
"""

import sys
import time

import fence_harness as fh
from fence_harness import sh


def stats(port):
    return (int(sh.info_field(port, "sync_full", "stats")),
            int(sh.info_field(port, "sync_partial_ok", "stats")))


def scenario(args, res, cluster):
    old = cluster.master
    writer = cluster.writer(old.port, rate=50)
    res.check(writer.wait_flowing(1.5), "the writer writes to the master")
    # A write the master executed but had not yet sent to its replicas when SIGSTOP landed would
    # be data the new master never got: then a full resync is the right answer. Stop writing
    # first, so the test measures the data-free tail alone.
    writer.finish()
    sent = int(sh.info_field(old.port, "master_repl_offset"))
    res.check(sh.wait_for(lambda: all(int(sh.info_field(r.port, "slave_repl_offset")) >= sent
                                      for r in cluster.replicas), 10.0),
              "the replicas have every write before the master is stopped")
    fh.stop(old)
    promoted = sh.wait_for(lambda: cluster.current_master_port() not in (None, old.port), 10.0)
    res.check(promoted, "the sentinels promote a replica while the master is stopped")
    new_port = cluster.current_master_port()
    other = next(r for r in cluster.replicas if r.port != new_port)
    res.check(sh.wait_for(lambda: sh.info_field(other.port, "master_port") == str(new_port) and
                          sh.info_field(other.port, "master_link_status") == "up", 10.0),
              "the other replica follows the new master")
    # Hellos keep arriving at the stopped master's socket; they land in its stream on resume.
    time.sleep(2.5)
    full0, partial0 = stats(new_port)
    fh.cont(old)
    t_cont = time.monotonic()
    res.check(sh.wait_for(lambda: sh.info_field(old.port, "role") == "slave", 10.0),
              "the old master is demoted after it resumes")
    t_demoted = time.monotonic()
    linked = sh.wait_for(lambda: sh.info_field(old.port, "master_link_status") == "up", 10.0)
    t_up = time.monotonic()
    res.check(linked, "the old master links to the new master")
    res.check(t_up - t_demoted <= 1.0, "the link is up within 1 s of the demotion",
              "%.2f s" % (t_up - t_demoted))
    full1, partial1 = stats(new_port)
    res.check(full1 == full0, "no full resync on the new master", "sync_full %d -> %d" % (
        full0, full1))
    new_log = fh.log_text(next(n for n in cluster.nodes() if n.port == new_port))
    res.check(partial1 == partial0 + 1, "the old master continued partially",
              "sync_partial_ok %d -> %d; new master says:\n%s\nold master says:\n%s" % (
                  partial0, partial1,
                  "\n".join(l for l in new_log.splitlines() if "sync" in l.lower())[-1200:],
                  "\n".join(fh.log_text(old).splitlines()[-12:])))
    log = fh.log_text(old)
    res.check("Discarded the last" in log, "the old master logged the tail it dropped",
              "\n".join(l for l in log.splitlines() if "MASTER" in l or "sync" in l)[-1500:])
    acked, _ = writer.snapshot()
    keys = [k for _, k in acked]
    sh.wait_for(lambda: not fh.missing_keys(new_port, keys), 10.0)
    missing = fh.missing_keys(new_port, keys)
    res.check(not missing, "every acknowledged key is on the new master",
              "%d of %d missing" % (len(missing), len(keys)))
    res.check(fh.missing_keys(old.port, keys) == missing, "the old master holds the same keys")
    print("measured: resume->demoted %.2f s, demoted->link up %.2f s, sync_full %d->%d, "
          "sync_partial_ok %d->%d" % (t_demoted - t_cont, t_up - t_demoted, full0, full1,
                                      partial0, partial1))


def main():
    return fh.run(__doc__, scenario, "cluster ready: replicas linked, 3 sentinels known",
                  node_args=["--repl-diskless-sync-delay", "5"])


if __name__ == "__main__":
    sys.exit(main())
