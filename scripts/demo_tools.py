#!/usr/bin/env python3
"""Helpers for scripts/demo.sh (standard library only).

  render TEMPLATE OUT key=value...   copy a conf/*.toml template, replacing the given keys
                                     ("section.key" inside a [section]); a commented-out
                                     "# key = ..." line is uncommented; unknown keys are appended
  events PORT...                     PSUBSCRIBE * on each sentinel; print "<unix_ms> <port>
                                     <channel> <message>" per event until killed
  wait-discovered NAME PORT...       wait (30 s max) until every sentinel knows 2 replicas and
                                     2 other sentinels of NAME
  timeline EVENTS_FILE KILL_MS       print the failover timeline relative to the kill
"""

import os
import re
import sys
import threading
import time

# The integration harness's RESP connection and decoder (standard library only).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration",
                                "sentinel"))
import sentinel_harness as sh  # noqa: E402


def render(template, out, pairs):
    wanted = dict(p.split("=", 1) for p in pairs)
    section = ""
    lines = []
    for line in open(template):
        m = re.match(r"^\s*\[([^\]]+)\]", line)
        if m:
            section = m.group(1) + "."
        m = re.match(r"^(#\s*)?([A-Za-z0-9_-]+)\s*=", line)
        if m and (section + m.group(2)) in wanted:
            line = "%s = %s\n" % (m.group(2), wanted.pop(section + m.group(2)))
        lines.append(line)
    top = [k for k in wanted if "." not in k]
    with open(out, "w") as f:
        # Keys not in the template go at the top level, before the first table.
        first_table = next((i for i, l in enumerate(lines) if l.lstrip().startswith("[")), len(lines))
        f.writelines(lines[:first_table])
        for k in top:
            f.write("%s = %s\n" % (k, wanted[k]))
        f.writelines(lines[first_table:])


def events(ports):
    """One PSUBSCRIBE * connection per sentinel, one thread each; lines printed under a lock."""
    lock = threading.Lock()
    conns = []
    for p in ports:
        conn = sh.RespConn(int(p), timeout=5.0)
        conn.call("PSUBSCRIBE", "*")
        conns.append((int(p), conn))

    def pump(port, conn):
        while True:
            try:
                msg = sh.decode(conn.read_reply(timeout=3600))
            except (OSError, ConnectionError):
                return
            if isinstance(msg, list) and len(msg) == 4 and msg[0] == "pmessage":
                with lock:
                    print("%d %d %s %s" % (int(time.time() * 1000), port, msg[2], msg[3]),
                          flush=True)
    threads = [threading.Thread(target=pump, args=pc, daemon=True) for pc in conns]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()


def wait_discovered(name, ports):
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            ok = True
            for p in ports:
                m = sh.call(int(p), "SENTINEL", "MASTER", name, timeout=2.0)
                d = dict(zip(m[::2], m[1::2]))
                ok = ok and d.get("num-slaves") == "2" and d.get("num-other-sentinels") == "2"
            if ok:
                return 0
        except (OSError, ConnectionError, ValueError, TypeError):
            pass
        time.sleep(0.1)
    print("sentinels did not discover the replicas and each other in 30 s", file=sys.stderr)
    return 1


def timeline(path, kill_ms):
    kill_ms = int(kill_ms)
    wanted = ["+sdown", "+odown", "+try-failover", "+elected-leader", "+promoted-slave",
              "+switch-master"]
    seen = {}
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 3)
        if len(parts) < 4 or not parts[0].isdigit():
            continue
        t, port, channel, msg = int(parts[0]), parts[1], parts[2], parts[3]
        if channel in wanted and t >= kill_ms and channel not in seen:
            if channel == "+sdown" and not msg.startswith("master "):
                continue
            seen[channel] = (t, port, msg)
    for ch in wanted:
        if ch in seen:
            t, port, msg = seen[ch]
            print("  +%6.3f s  %-16s sentinel :%s  %s" % ((t - kill_ms) / 1000.0, ch, port, msg))
        else:
            print("  (no %s seen)" % ch)
    return 0 if "+switch-master" in seen else 1


def main():
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "render":
        render(rest[0], rest[1], rest[2:])
        return 0
    if cmd == "events":
        events(rest)
        return 0
    if cmd == "wait-discovered":
        return wait_discovered(rest[0], rest[1:])
    if cmd == "timeline":
        return timeline(rest[0], rest[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
