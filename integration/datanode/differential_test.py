#!/usr/bin/env python3
"""Differential test: the same command script against a real redis-server 7.0 and vigil-datanode.

Every line of differential_commands.txt is sent, as a RESP multibulk request over a raw socket,
to both servers; exactly one complete reply is read from each with our own incremental RESP
parser (harness.py) and the raw bytes are compared. The whole script runs twice: once in RESP2
and once with every connection switched to RESP3 by `HELLO 3` right after it is opened.

Script syntax (see the header of differential_commands.txt):
  [@conn] COMMAND arg ...   [#!directive [reason]] ...
Meta commands:  .READ (read one more reply on the connection, send nothing)
                .SLEEP <ms> (bounded pause, <= 2000 ms)
                .CLOSE (close the named connection on both sides)
Directives:     #!sorted         aggregates compared as multisets (recursively; maps as pair sets)
                #!sorted-pairs   flat arrays compared as multisets of consecutive (field,value) pairs
                #!sorted-words   each string compared as a multiset of its space-separated words
                #!shape          only the RESP types/structure are compared (values, lengths vary)
                #!mask-field F   the value after the key F in a map / flat array is masked
                #!field-names    'k=v k=v' text: only the field names are compared (CLIENT INFO)
                #!approx N       integer replies may differ by at most N
                #!replies N      read and compare N replies (e.g. SUBSCRIBE a b c)
                #!timeout S      reply timeout in seconds (default 2)
                #!resp2-only / #!resp3-only
                #!skip-vigil-diff <reason>   sent to both, reply read, not compared
"""

import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "differential_commands.txt")
# Further sections, one file per command family, run after SCRIPT in name order on the same
# servers and connections.
SECTIONS = os.path.join(HERE, "differential")
DEFAULT_TIMEOUT = 2.0


class Line:
    def __init__(self, lineno, text, conn, args, directives):
        self.lineno = lineno  # "file:line", so a report points into the right script
        self.text = text
        self.conn = conn
        self.args = args
        self.directives = directives  # dict name -> argument text ('' if none)


def parse_directives(rest):
    out = {}
    for part in rest.split("#!")[1:]:
        part = part.strip()
        if not part:
            continue
        name, _, arg = part.partition(" ")
        out[name] = arg.strip()
    return out


KNOWN_DIRECTIVES = {"field-names", "sorted", "sorted-pairs", "sorted-words", "shape", "mask-field", "approx", "replies", "timeout",
                    "resp2-only", "resp3-only", "skip-vigil-diff"}


def load_script(path):
    lines = []
    with open(path, "r", encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.rstrip("\n")
            stripped = text.strip()
            if not stripped or (stripped.startswith("#") and not stripped.startswith("#!")):
                continue
            args, rest = harness.split_args(stripped)
            directives = parse_directives(rest)
            unknown = set(directives) - KNOWN_DIRECTIVES
            if unknown:
                raise SystemExit("%s:%d: unknown directive(s) %s" % (path, lineno, sorted(unknown)))
            if "skip-vigil-diff" in directives and not directives["skip-vigil-diff"]:
                raise SystemExit("%s:%d: #!skip-vigil-diff needs a reason" % (path, lineno))
            conn = "main"
            if args and args[0].startswith(b"@"):
                conn = args[0][1:].decode()
                args = args[1:]
            if not args:
                raise SystemExit("%s:%d: directive without a command" % (path, lineno))
            cmd_text = stripped.split("#!")[0].strip()
            where = "%s:%d" % (os.path.basename(path), lineno)
            lines.append(Line(where, cmd_text, conn, args, directives))
    return lines


def script_files():
    files = [SCRIPT]
    if os.path.isdir(SECTIONS):
        files += sorted(os.path.join(SECTIONS, n) for n in os.listdir(SECTIONS) if n.endswith(".txt"))
    return files


# --------------------------------------------------------------------------- normalisation

MASK = harness.Node("?", b"<masked>", b"?<masked>\r\n")


def mask_field(node, name):
    if node is None or not node.is_agg():
        return node
    vals = [mask_field(c, name) for c in node.value]
    if node.kind in "%*" and len(vals) % 2 == 0:
        for i in range(0, len(vals), 2):
            if vals[i].kind in "+$" and vals[i].value == name:
                vals[i + 1] = MASK
    return harness.Node(node.kind, vals, b"")


def norm(node, mode):
    """Hashable canonical form used when a directive asks for a non-byte-exact comparison."""
    k = node.kind
    if node.value is None:
        return (k, None)
    if not node.is_agg():
        if mode == "shape":
            return (k,)
        if mode == "sorted-words" and isinstance(node.value, bytes):
            return (k, tuple(sorted(node.value.split(b" "))))
        return (k, node.value)
    kids = [norm(c, mode) for c in node.value]
    if mode == "shape":
        # structure only: the distinct shapes of the children, not their number (SCAN COUNT is
        # a hint, random replies vary), but an empty aggregate still differs from a non-empty one
        return (k, tuple(sorted(set(kids), key=repr)))
    if mode == "sorted":
        if k in "%|":
            pairs = sorted((repr(kids[i]), repr(kids[i + 1])) for i in range(0, len(kids), 2))
            return (k, tuple(pairs))
        return (k, tuple(sorted(kids, key=repr)))
    if mode == "sorted-pairs":
        if len(kids) % 2 == 0:
            pairs = sorted((repr(kids[i]), repr(kids[i + 1])) for i in range(0, len(kids), 2))
            return (k, tuple(pairs))
        return (k, tuple(kids))
    return (k, tuple(kids))


def approx_equal(a, b, tol):
    if a.kind != b.kind:
        return False
    if a.is_agg() and b.is_agg():
        return len(a.value) == len(b.value) and all(approx_equal(x, y, tol) for x, y in zip(a.value, b.value))
    if a.kind == ":" and a.value is not None and b.value is not None:
        return abs(int(a.value) - int(b.value)) <= tol
    return a.raw == b.raw


def field_names(node):
    """For 'k=v k=v' text replies (CLIENT INFO / LIST): the ordered list of field names per line."""
    if node.kind not in "$=" or node.value is None:
        return (node.kind, node.value)
    text = node.value[4:] if node.kind == "=" else node.value
    # lib-name / lib-ver are Redis 7.2's CLIENT SETINFO fields, which Vigil adds (README).
    extra = (b"lib-name", b"lib-ver")
    return (node.kind, tuple(tuple(f for f in re.findall(rb"(\S+?)=\S*", line) if f not in extra)
                             for line in text.split(b"\n") if line))


def replies_equal(ra, rb, d):
    if "field-names" in d:
        return field_names(ra) == field_names(rb)
    if "mask-field" in d:
        ra = mask_field(ra, d["mask-field"].split()[0].encode())
        rb = mask_field(rb, d["mask-field"].split()[0].encode())
    if "approx" in d:
        return approx_equal(ra, rb, int(d["approx"].split()[0]))
    for mode in ("shape", "sorted", "sorted-pairs", "sorted-words"):
        if mode in d:
            return norm(ra, mode) == norm(rb, mode)
    if "mask-field" in d:
        return norm(ra, "exact") == norm(rb, "exact")
    return ra.raw == rb.raw


def show(r):
    if isinstance(r, harness.Node):
        s = repr(r.raw)
    else:
        s = "<%s>" % r
    return s if len(s) <= 400 else s[:400] + "...(%d bytes)" % len(s)


# --------------------------------------------------------------------------- runner

class Side:
    def __init__(self, name, server, proto):
        self.name = name
        self.server = server
        self.proto = proto
        self.conns = {}

    def conn(self, name):
        c = self.conns.get(name)
        if c is None:
            c = harness.RespConn(self.server.port, timeout=DEFAULT_TIMEOUT)
            if self.proto == 3:
                r = c.call("HELLO", "3")
                if r.kind not in "%*":
                    raise RuntimeError("%s: HELLO 3 failed: %s" % (self.name, show(r)))
            self.conns[name] = c
        return c

    def drop(self, name):
        c = self.conns.pop(name, None)
        if c is not None:
            c.close()

    def close_all(self):
        for n in list(self.conns):
            self.drop(n)


def execute(side, line, nreplies, timeout):
    """Send one line, read nreplies replies. Returns a list (Node or error string)."""
    out = []
    cmd = line.args[0].upper()
    try:
        c = side.conn(line.conn)
        if cmd == b".CLOSE":
            side.drop(line.conn)
            return [harness.Node("+", b"closed", b"+closed\r\n")]
        if cmd == b".READ":
            pass
        else:
            c.send(*line.args)
        for _ in range(nreplies):
            out.append(c.read_reply(timeout))
    except socket.timeout:
        out.append("timeout after %.1fs" % timeout)
        side.drop(line.conn)
    except (ConnectionError, OSError) as e:
        out.append("connection error: %s" % e)
        side.drop(line.conn)
    except harness.RespError as e:
        out.append("protocol error: %s" % e)
        side.drop(line.conn)
    while len(out) < nreplies:
        out.append("<not read>")
    return out


def run_pass(args, lines, proto, res):
    redis = vigil = None
    skipped = []
    try:
        redis = harness.start_redis(args.redis_server)
        vigil = harness.start_vigil(args.vigil)
        sides = [Side("redis", redis, proto), Side("vigil", vigil, proto)]
        for line in lines:
            d = line.directives
            if ("resp2-only" in d and proto != 2) or ("resp3-only" in d and proto != 3):
                continue
            if line.args[0].upper() == b".SLEEP":
                time.sleep(min(int(line.args[1]), 2000) / 1000.0)
                continue
            nrep = int(d.get("replies", "1").split()[0] or 1)
            timeout = float(d.get("timeout", str(DEFAULT_TIMEOUT)).split()[0])
            got = [execute(s, line, nrep, timeout) for s in sides]
            if "skip-vigil-diff" in d:
                skipped.append(line)
                if args.verbose:
                    print("RESP%d line %s skipped (%s)" % (proto, line.lineno, d["skip-vigil-diff"]))
                continue
            ok = True
            for ra, rb in zip(got[0], got[1]):
                if isinstance(ra, str) or isinstance(rb, str):
                    # both sides failed the same way (e.g. both closed the connection after QUIT)
                    ok = ok and isinstance(ra, str) and isinstance(rb, str) and ra.split(":")[0] == rb.split(":")[0]
                elif not replies_equal(ra, rb, d):
                    ok = False
            if ok:
                res.passed += 1
                if args.verbose:
                    shown = show(got[0][0]) if got[0] else "(no reply)"
                    print("RESP%d line %s ok: %s -> %s" % (proto, line.lineno, line.text, shown))
            else:
                res.failed += 1
                print("MISMATCH RESP%d line %s: %s" % (proto, line.lineno, line.text))
                for i, (ra, rb) in enumerate(zip(got[0], got[1])):
                    tag = "" if nrep == 1 else "[%d]" % i
                    print("    redis%s: %s" % (tag, show(ra)))
                    print("    vigil%s: %s" % (tag, show(rb)))
            if not vigil.alive():
                res.failed += 1
                print("FATAL RESP%d: vigil-datanode died after line %s (%s); log tail:\n%s"
                      % (proto, line.lineno, line.text, vigil.log_tail()))
                break
        for s in sides:
            s.close_all()
    finally:
        if vigil is not None:
            vigil.stop()
        if redis is not None:
            redis.stop()
    return skipped


def main():
    harness.require_tool("redis-server")
    args = harness.parse_args(__doc__.splitlines()[0])
    harness.require_file(args.vigil, "vigil-datanode")
    lines = [line for path in script_files() for line in load_script(path)]
    res = harness.Results()
    t0 = time.monotonic()
    skipped = []
    for proto in (2, 3):
        before = (res.passed, res.failed)
        skipped = run_pass(args, lines, proto, res)
        print("RESP%d pass: %d lines compared equal, %d differ"
              % (proto, res.passed - before[0], res.failed - before[1]))
    print("%d script lines; %d declared #!skip-vigil-diff per pass; %.1fs"
          % (len(lines), len(skipped), time.monotonic() - t0))
    res.finish()


if __name__ == "__main__":
    main()
