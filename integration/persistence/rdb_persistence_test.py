#!/usr/bin/env python3
"""vigil-datanode RDB persistence with real processes:
  SAVE / BGSAVE / BGSAVE SCHEDULE / LASTSAVE / INFO persistence fields and latest_fork_usec;
  restart loads the saved data; save points trigger a BGSAVE; SHUTDOWN SAVE / NOSAVE and
  SIGTERM with save points; a failed BGSAVE turns on -MISCONF for writes and PING until a save
  succeeds; corrupt files (truncated, flipped byte, unreadable) refuse to start with an error
  naming the offset and are left untouched; --check-rdb on good and bad files.
Prints "N passed, M failed"; exits non-zero on failure."""

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time

import rdb_harness as h

MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.")


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def flip(data, at):
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]


def new_dir(root, name):
    d = os.path.join(root, name)
    os.makedirs(d)
    return d


def shutdown(c, *mode):
    """SHUTDOWN closes the connection without a reply when it succeeds."""
    try:
        return c.call("SHUTDOWN", *mode)
    except (ConnectionError, OSError):
        return None
    finally:
        c.close()


def wait_bgsave(c, timeout=60):
    return h.wait_until(lambda: h.info_field(c, "persistence", "rdb_bgsave_in_progress") == "0",
                        timeout)


def save_bgsave_restart(args, res, root):
    work = new_dir(root, "bgsave")
    v = h.Proc("vigil", args.vigil, work, ["--save", ""])
    try:
        v.start()
        c = v.client()
        h.build_dataset(c)
        want = h.dump(c)
        c.cmd("SELECT", "9")  # a bulk database, counted rather than dumped key by key
        c.cmd("DEBUG", "POPULATE", "200000", "pop", "16")
        c.cmd("SELECT", "0")
        before = c.cmd("LASTSAVE")
        res.check(int(h.info_field(c, "persistence", "rdb_changes_since_last_save")) > 0,
                  "info: rdb_changes_since_last_save counts writes")
        time.sleep(1.1)  # LASTSAVE has second resolution
        r = c.cmd("BGSAVE")
        res.check(r == "Background saving started", "BGSAVE starts", repr(r))
        second = c.call("BGSAVE")
        in_progress = h.info_field(c, "persistence", "rdb_bgsave_in_progress")
        res.check((isinstance(second, h.RespError) and
                   str(second) == "ERR Background save already in progress") or in_progress == "0",
                  "BGSAVE while one runs is refused",
                  repr(second))
        res.check(wait_bgsave(c), "BGSAVE finishes")
        res.check(h.info_field(c, "persistence", "rdb_last_bgsave_status") == "ok",
                  "info: rdb_last_bgsave_status ok")
        res.check(h.info_field(c, "persistence", "rdb_changes_since_last_save") == "0",
                  "info: rdb_changes_since_last_save reset")
        res.check(h.info_field(c, "persistence", "rdb_saves") == "1", "info: rdb_saves")
        res.check(int(h.info_field(c, "stats", "latest_fork_usec")) > 0,
                  "info: latest_fork_usec > 0")
        res.check(h.info_field(c, "stats", "total_forks") == "1", "info: total_forks")
        res.check(c.cmd("LASTSAVE") > before, "LASTSAVE advances")
        rdb = os.path.join(work, "dump.rdb")
        p = subprocess.run([args.redis_check_rdb, rdb], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        res.check(p.returncode == 0 and
                  b"RDB looks OK" in p.stdout, "BGSAVE output passes redis-check-rdb", p.stdout[-400:])
        res.check(not [f for f in os.listdir(work) if f.startswith("temp-")], "no temp files left")
        res.check(c.cmd("BGSAVE", "SCHEDULE") == "Background saving started",
                  "BGSAVE SCHEDULE with no other child starts at once")
        wait_bgsave(c)
        res.check(str(c.call("BGSAVE", "FOO")) == "ERR syntax error", "BGSAVE with a bad argument")
        c.cmd("SET", "after", "save")
        res.check(c.cmd("SAVE") == "OK", "SAVE")
        want[(0, b"after")] = ("string", "embstr", b"save", -1)
        c.close()
        v.kill()
        v.start()
        c = v.client()
        c.cmd("SELECT", "9")
        res.check(c.cmd("DBSIZE") == 200000, "restart loads the bulk database")
        c.cmd("FLUSHDB")
        c.cmd("SELECT", "0")
        got = h.dump(c)
        res.check(h.same(want, got), "restart loads the saved dataset", h.diff(want, got))
        c.close()
    finally:
        v.kill()


def save_points(args, res, root):
    work = new_dir(root, "savepoints")
    v = h.Proc("vigil", args.vigil, work, ["--save", "1 2"])
    try:
        v.start()
        c = v.client()
        rdb = os.path.join(work, "dump.rdb")
        c.cmd("SET", "a", "1")
        time.sleep(2.5)  # the save point's 1 s passes twice: with 1 change no BGSAVE may start
        res.check(not os.path.exists(rdb), "save point not reached with 1 change")
        c.cmd("SET", "b", "2")
        ok = h.wait_until(lambda: os.path.exists(rdb) and
                          h.info_field(c, "persistence", "rdb_bgsave_in_progress") == "0", 10)
        res.check(ok, "save point '1 2' triggers a BGSAVE", v.log_tail())
        res.check(h.info_field(c, "persistence", "rdb_changes_since_last_save") == "0",
                  "save point resets the change count")
        res.check(c.cmd("CONFIG", "SET", "save", "") == "OK", "CONFIG SET save '' disables save points")
        c.close()
    finally:
        v.kill()


def shutdown_modes(args, res, root):
    work = new_dir(root, "shutdown")
    rdb = os.path.join(work, "dump.rdb")
    v = h.Proc("vigil", args.vigil, work, ["--save", ""])
    try:
        v.start()
        c = v.client()
        c.cmd("SET", "k", "1")
        shutdown(c, "NOSAVE")
        res.check(v.wait_exit(20) == 0, "SHUTDOWN NOSAVE exits")
        res.check(not os.path.exists(rdb), "SHUTDOWN NOSAVE writes nothing")
        v.start()
        c = v.client()
        c.cmd("SET", "k", "2")
        shutdown(c, "SAVE")
        res.check(v.wait_exit(20) == 0, "SHUTDOWN SAVE exits")
        v.start()
        c = v.client()
        res.check(c.cmd("GET", "k") == b"2", "SHUTDOWN SAVE persisted the data")
        c.close()
        v.kill()
        # SIGTERM saves when save points are configured.
        v2 = h.Proc("vigil", args.vigil, work, ["--save", "3600 1"])
        v2.start()
        c = v2.client()
        c.cmd("SET", "k", "3")
        c.close()
        v2.signal(signal.SIGTERM)
        res.check(v2.wait_exit(20) == 0, "SIGTERM exits")
        v.start()
        c = v.client()
        res.check(c.cmd("GET", "k") == b"3", "SIGTERM with save points saved")
        # SHUTDOWN that cannot save keeps the server running.
        c.cmd("SET", "k", "4")
        shutil.rmtree(work)  # the working directory is gone: the save must fail
        r = c.call("SHUTDOWN", "SAVE")
        res.check(str(r) == "ERR Errors trying to SHUTDOWN. Check logs.",
                  "SHUTDOWN SAVE failure answers the Redis error", repr(r))
        res.check(c.cmd("PING") == "PONG", "server keeps running after a failed SHUTDOWN")
        c.close()
    finally:
        v.kill()
        os.makedirs(work, exist_ok=True)


def misconf(args, res, root):
    work = new_dir(root, "misconf")
    v = h.Proc("vigil", args.vigil, work, ["--save", "3600 1000"])
    try:
        v.start()
        c = v.client()
        c.cmd("SET", "k", "v")
        blocker = os.path.join(work, "dump.rdb")
        os.mkdir(blocker)  # the final rename fails: a directory holds the RDB's name
        res.check(c.cmd("BGSAVE") == "Background saving started",
                  "BGSAVE that will fail still starts")
        res.check(wait_bgsave(c), "failed BGSAVE is reaped")
        res.check(h.info_field(c, "persistence", "rdb_last_bgsave_status") == "err",
                  "info: rdb_last_bgsave_status err")
        r = c.call("SET", "k", "w")
        res.check(str(r) == MISCONF, "writes get -MISCONF", repr(r))
        r = c.call("PING")
        res.check(str(r) == MISCONF, "PING gets -MISCONF", repr(r))
        res.check(c.cmd("GET", "k") == b"v", "reads still work")
        log = v.log()
        res.check("Error moving temp DB file" in log and
                  "Background saving error" in log, "the log names the failure", log[-400:])
        os.rmdir(blocker)
        res.check(c.cmd("BGSAVE") == "Background saving started", "BGSAVE after the dir is back")
        wait_bgsave(c)
        res.check(c.cmd("SET", "k", "w") == "OK", "writes work again after a good BGSAVE")
        c.cmd("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
        c.close()
    finally:
        v.kill()


def corrupt_files(args, res, root):
    work = new_dir(root, "corrupt")
    rdb = os.path.join(work, "dump.rdb")
    v = h.Proc("vigil", args.vigil, work, ["--save", ""])
    try:
        v.start()
        c = v.client()
        h.build_dataset(c)
        c.cmd("SAVE")
        c.close()
        v.kill()
        with open(rdb, "rb") as f:
            good = f.read()
        cases = {
            "truncated": (good[:len(good) // 2], "Short read at offset"),
            "flipped byte": (flip(good, good.index(b"hello")), "Wrong RDB checksum"),
            "bad type": (good[:9] + b"\x2a" + good[10:], "Unknown RDB type 42 at offset 9"),
        }
        for name, (data, expect) in cases.items():
            with open(rdb, "wb") as f:
                f.write(data)
            before = sha(rdb)
            v.spawn()
            code = v.wait_exit(30)
            log = v.log()
            res.check(code not in (None, 0), "corrupt %s: refuses to start" % name,
                      "exit=%s" % code)
            res.check(expect in log and "offset" in log,
                      "corrupt %s: error names offset and cause" % name, log[-500:])
            res.check(sha(rdb) == before, "corrupt %s: file untouched" % name)
            p = subprocess.run([args.vigil, "--check-rdb", rdb], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            out = p.stdout.decode(errors="replace")
            res.check(p.returncode == 1 and
                      "--- RDB ERROR DETECTED ---" in out and expect.split(" at ")[0] in out, "corrupt %s: --check-rdb reports it" % name, out)
            v.kill()
        os.remove(rdb)
        os.mkdir(rdb)  # unreadable: the RDB path is a directory
        v.spawn()
        code = v.wait_exit(30)
        log = v.log()
        res.check(code not in (None, 0) and "Is a directory" in log,
                  "unreadable RDB: refuses to start with the reason", log[-400:])
        os.rmdir(rdb)
        with open(rdb, "wb") as f:
            f.write(good)
        p = subprocess.run([args.vigil, "--check-rdb", rdb], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        res.check(p.returncode == 0 and b"RDB looks OK" in p.stdout, "good file: --check-rdb OK")
    finally:
        v.kill()


def main():
    args = h.parse_args(__doc__)
    res = h.Results(args.verbose)
    root = tempfile.mkdtemp(prefix="vigil-rdb-persist-")
    try:
        res.run("save/bgsave/restart", lambda: save_bgsave_restart(args, res, root))
        res.run("save points", lambda: save_points(args, res, root))
        res.run("shutdown", lambda: shutdown_modes(args, res, root))
        res.run("misconf", lambda: misconf(args, res, root))
        res.run("corrupt", lambda: corrupt_files(args, res, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
