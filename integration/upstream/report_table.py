#!/usr/bin/env python3
"""Prints the side-by-side table of run.py --report files (one side each, or several files for
one side, merged unit by unit), as bench/upstream.sh prints it after a run.

    report_table.py build/upstream-vigil.json build/upstream-redis.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402
import suite_output  # noqa: E402


def load(paths):
    sides = {}
    for path in paths:
        with open(path) as f:
            for side, units in json.load(f).items():
                merged = sides.setdefault(side, [])
                for u in units:
                    r = suite_output.UnitResult(u["unit"])
                    r.passed, r.skipped, r.aborted = u["passed"], u["skipped"], u["aborted"]
                    r.failed = [tuple(x) for x in u["failed"]]
                    merged[:] = [x for x in merged if x.unit != r.unit] + [r]
    return sides


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    print(run.summary_table(load(sys.argv[1:])))
