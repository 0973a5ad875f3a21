"""Reads the two harnesses' output into per-unit pass/fail sets.

Redis's unit harness (`runtest`) prints `[ok]: <test> (N ms)` and `[err]: <test> in <file>`
(with `--durable` an exception in a test is an `[err]` too), and `[exception]` when a test client
dies. The sentinel harness (`runtest-sentinel`) prints `Testing unit: NN-name.tcl`, then
`HH:MM:SS> <test>: OK` or `... FAILED: ...`, and `FAILED: caught an error in the test` when a
unit stops on an error that is not an assertion.
"""
import re

ANSI = re.compile(r"\x1b\[[0-9;]*m")
OK_LINE = re.compile(r"^\[ok\]: (.*) \(\d+ ms\)$")
ERR_LINE = re.compile(r"^\[err\]: (.*) in (\S+)$")
SKIP_LINE = re.compile(r"^\[(skip|ignore)\]: (.*)$")
SENTINEL_UNIT = re.compile(r"^Testing unit: (\S+)\.tcl$")
SENTINEL_TEST = re.compile(r"^\d\d:\d\d:\d\d> (.*)$")


class UnitResult:
    def __init__(self, unit):
        self.unit = unit
        self.passed = []
        self.failed = []  # (test, first line of the reason)
        self.skipped = []
        self.aborted = ""  # why the unit did not run to its end, or ""

    def as_dict(self):
        return {"unit": self.unit, "passed": self.passed, "failed": self.failed,
                "skipped": self.skipped, "aborted": self.aborted}


def parse_unit_output(unit, text, exit_code, timed_out):
    r = UnitResult(unit)
    lines = [ANSI.sub("", l).rstrip() for l in text.splitlines()]
    for i, line in enumerate(lines):
        m = OK_LINE.match(line)
        if m:
            r.passed.append(m.group(1))
            continue
        m = ERR_LINE.match(line)
        if m:
            reason = lines[i + 1].strip() if i + 1 < len(lines) else ""
            r.failed.append((m.group(1), reason[:200]))
            continue
        m = SKIP_LINE.match(line)
        if m:
            r.skipped.append(m.group(2))
            continue
        if line.startswith("[exception]"):
            r.aborted = line[:300]
    if timed_out:
        r.aborted = "timed out"
    elif exit_code != 0 and not r.aborted and not r.failed:
        tail = [l for l in lines if l.strip()][-3:]
        r.aborted = "exit %d: %s" % (exit_code, " | ".join(tail)[:300])
    return r


def _sentinel_status(rest):
    """'OK', 'FAILED: ...' or None for the text printed after a test's description."""
    rest = rest.strip()
    i = rest.find("FAILED:")
    if i >= 0:
        return rest[i:]
    if rest == "OK" or rest.endswith(" OK"):
        return "OK"
    return None


def parse_sentinel_output(text, timed_out):
    units = []
    current = None
    pending = None  # a test whose result has not been printed yet
    lines = [ANSI.sub("", l).rstrip() for l in text.splitlines()]

    def finish(test, status):
        if status == "OK":
            current.passed.append(test)
        else:
            current.failed.append((test, status[:200]))

    for line in lines:
        m = SENTINEL_UNIT.match(line)
        if m:
            if pending is not None and current is not None:
                finish(pending, "FAILED: no result printed")
            pending = None
            current = UnitResult("sentinel/" + m.group(1))
            units.append(current)
            continue
        if current is None:
            continue
        m = SENTINEL_TEST.match(line)
        if m:
            if pending is not None:
                finish(pending, "FAILED: no result printed")
            body = m.group(1)
            cut = body.find(": FAILED:")
            if cut < 0:
                cut = body.rfind(": ")
            test, rest = (body[:cut], body[cut + 2:]) if cut >= 0 else (body.rstrip(":"), "")
            status = _sentinel_status(rest)
            if status is None:
                pending = test
            else:
                finish(test, status)
                pending = None
            continue
        if line.startswith("FAILED: caught an error in the test"):
            current.aborted = line[:300]
            if pending is not None:
                finish(pending, line)
                pending = None
            continue
        if pending is not None:
            status = _sentinel_status(line)
            if status is not None:
                finish(pending, status)
                pending = None
    if pending is not None and current is not None:
        finish(pending, "FAILED: no result printed")
    if timed_out and units:
        units[-1].aborted = "timed out"
    return units
