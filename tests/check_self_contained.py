#!/usr/bin/env python3
"""Fails when a tracked file points at documents that live outside the repository.

A reader who clones Vigil must be able to follow every reference, so the facts the code relies
on are stated in docs/, the DESIGN.md files and the READMEs. This check looks for the names of
the outside notes the project was started from (a shared folder, its "spec" sections, its
architecture note, its field and capture notes) and prints file:line for each hit.

Usage: check_self_contained.py [repository root]   (default: the root above this file)
"""
import os
import re
import sys

from repo_files import tracked_files

# Written so that this file does not match itself.
PATTERNS = [
    (re.compile(r"\.\./share[d]"), "a path into a shared folder outside the repository"),
    (re.compile(r"/work/share[d]"), "a path into a shared folder outside the repository"),
    (re.compile(r"spec\s*§"), "a section of an outside specification"),
    (re.compile(r"ARCHITECTUR[E]\.md"), "an outside architecture note (ours is docs/architecture.md)"),
    (re.compile(r"\bfiel[d]\.md"), "an outside field note"),
    (re.compile(r"datanode-capture[s]"), "outside protocol captures"),
    (re.compile(r"spec/(?:sentinel|datanode)\.m[d]"), "an outside specification"),
]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    me = os.path.relpath(os.path.abspath(__file__), root)
    hits = 0
    for rel in sorted(tracked_files(root)):
        if rel == me:
            continue
        path = os.path.join(root, rel)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue  # deleted in the work tree but still in the index
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            for pattern, what in PATTERNS:
                if pattern.search(line):
                    print(f"{rel}:{lineno}: {what}: {line.strip()}")
                    hits += 1
                    break
    if hits:
        print(f"\n{hits} reference(s) to documents outside the repository; state the fact in "
              "docs/ (or the DESIGN.md of the component) and point there instead.")
        return 1
    print("no references to documents outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
