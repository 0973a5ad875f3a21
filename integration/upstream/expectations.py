"""expected-failures.txt: the upstream tests Vigil is allowed to fail, each with its reason.

One entry a line, `<unit> :: <test> :: <reason>`; `#` starts a comment line.
- `<test>` is the test's name exactly as the harness prints it.
- `<test>` `*` excludes the whole unit: it is not run at all (modules, cluster mode).
- `<test>` `<aborted>` allows the unit to stop before its end.
The reason names a deliberate difference (README "Differences") or the issue that will
implement the behaviour. A listed test that passes is an error too, so the file only shrinks.
"""


class Expectations:
    def __init__(self):
        self.tests = {}  # (unit, test) -> reason
        self.excluded = {}  # unit -> reason
        self.aborts = {}  # unit -> reason

    @staticmethod
    def load(path):
        e = Expectations()
        with open(path) as f:
            for n, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                parts = line.split(" :: ")
                if len(parts) != 3 or not all(p.strip() for p in parts):
                    raise SystemExit("%s:%d: expected '<unit> :: <test> :: <reason>'" % (path, n))
                unit, test, reason = (p.strip() for p in parts)
                if test == "*":
                    e.excluded[unit] = reason
                elif test == "<aborted>":
                    e.aborts[unit] = reason
                else:
                    if (unit, test) in e.tests:
                        raise SystemExit("%s:%d: '%s' is listed twice" % (path, n, test))
                    e.tests[(unit, test)] = reason
        return e

    def unit_excluded(self, unit):
        return self.excluded.get(unit, "")

    def compare(self, results):
        """Problems, one line each: unexpected failures, aborts and passes."""
        problems = []
        for r in results:
            failed = {t for t, _ in r.failed}
            for test, why in r.failed:
                if (r.unit, test) not in self.tests:
                    problems.append("unexpected failure: %s :: %s (%s)" % (r.unit, test, why))
            for test in r.passed:
                if (r.unit, test) in self.tests and test not in failed:
                    problems.append("now passes, remove it from the file: %s :: %s"
                                    % (r.unit, test))
            if r.aborted and r.unit not in self.aborts:
                problems.append("unit did not run to its end: %s (%s)" % (r.unit, r.aborted))
            if not r.aborted and r.unit in self.aborts:
                problems.append("unit now runs to its end, remove its <aborted> line: %s"
                                % r.unit)
        return problems
