#!/usr/bin/env python3
"""Fails when a hand-written source file is longer than 600 lines.

One concept per file keeps a decision findable and its test beside it; a file past 600 lines
has grown a second concept that wants a file and a name of its own. Data files (differential
test sections, scenario transcripts, expectation lists) are not source and are not counted.

Usage: check_file_size.py [repository root]   (default: the root above this file)
"""
import os
import sys

from repo_files import tracked_files

LIMIT = 600
SOURCE_SUFFIXES = (".cc", ".h", ".py", ".sh", ".cmake", ".lua", ".tcl")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    over = []
    for rel in tracked_files(root):
        if not rel.endswith(SOURCE_SUFFIXES) and os.path.basename(rel) != "CMakeLists.txt":
            continue
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            lines = f.read().count(b"\n")
        if lines > LIMIT:
            over.append((lines, rel))
    for lines, rel in sorted(over, reverse=True):
        print(f"{rel}: {lines} lines (limit {LIMIT}): split it by concept")
    if over:
        return 1
    print("every source file is within", LIMIT, "lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
