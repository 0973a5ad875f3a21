#!/usr/bin/env python3
"""Fails when decision code reaches for the outside world.

The sentinel core, the data node's keyspace/commands/service/replication/persistence/ACL code and
common's pure building blocks are fed time, randomness, files and messages by their shells; that
is what lets one test process run many sentinels and data nodes through seeded fault schedules.
This check reads those folders (tests excluded) and reports every line that includes an I/O
library, reads a clock, draws OS randomness, logs, or touches a file or descriptor, and every
pure library that links an I/O library. Usage: check_purity.py [repository root]
"""
import os
import re
import sys

PURE_FOLDERS = [
    "sentinel/core",
    "datanode/store",
    "datanode/commands",
    "datanode/service",
    "datanode/replication",
    "datanode/persistence",
    "datanode/acl",
    "datanode/scripting",
    "common/base",
    "common/resp",
    "common/wire",
    "common/fs",
]
# Files in those folders that are the seam's real side, owned by a shell.
SHELL_FILES = {"common/fs/posix_file_system.h", "common/fs/posix_file_system.cc"}
# VIGIL_CHECK reports a broken invariant on stderr as the process aborts: a crash, not logging.
CRASH_REPORTERS = {"common/base/check.h"}

FORBIDDEN = [
    (r"#\s*include\s*[<\"](event2/|event\.h)", "libevent"),
    (r"#\s*include\s*[<\"]hiredis", "hiredis"),
    (r"#\s*include\s*[<\"]openssl/", "OpenSSL (TLS lives in common/net)"),
    (r"#\s*include\s*[<\"]spdlog|common/log/", "logging"),
    (r"\b(system_clock|steady_clock|high_resolution_clock)::now\b", "clock read"),
    (r"\b(gettimeofday|clock_gettime)\s*\(|\btime\s*\(\s*(nullptr|NULL|0)\s*\)", "clock read"),
    (r"\brandom_device\b|\b(s?rand|random|arc4random|getrandom)\s*\(", "OS randomness"),
    (r"#\s*include\s*<(fstream|unistd\.h|fcntl\.h|sys/stat\.h|dirent\.h|sys/socket\.h)>",
     "file or socket I/O"),
    (r"\b(fopen|opendir|getcwd|chdir)\s*\(|::(open|read|write|close|rename|unlink|fsync)\s*\(",
     "file or socket I/O"),
    (r"\b(std::)?(cout|cerr)\b|\bf?printf\s*\(\s*(stderr|stdout)", "logging"),
]

# A pure library may link only these. Lua 5.1 is computation only: the sandbox removes io, os,
# loadfile and dofile before any script runs.
PURE_LIBRARIES = {
    "vigil_sentinel_core": ("sentinel/core/CMakeLists.txt", {"vigil_common", "vigil_warnings"}),
    "vigil_datanode_replication": ("datanode/CMakeLists.txt", {"vigil_common", "vigil_warnings"}),
    "vigil_datanode_core": ("datanode/CMakeLists.txt",
                            {"vigil_common", "vigil_datanode_replication", "vigil_warnings",
                             "PkgConfig::LUA51"}),
}


def strip_comments_and_strings(line, in_block):
    """The code part of a line: comments and string literals removed (their text may name
    things like clock_gettime without calling them)."""
    out = []
    i = 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i = end + 2
            in_block = False
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_block = True
            i += 2
            continue
        c = line[i]
        if c == '"' and not "".join(out).lstrip().startswith("#"):
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out.append('""')
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out), in_block


def check_sources(root):
    problems = []
    for folder in PURE_FOLDERS:
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            problems.append("%s: pure folder missing" % folder)
            continue
        for name in sorted(os.listdir(path)):
            rel = folder + "/" + name
            if not name.endswith((".cc", ".h")) or name.endswith("_test.cc"):
                continue
            if rel in SHELL_FILES or rel in CRASH_REPORTERS:
                continue
            in_block = False
            with open(os.path.join(path, name), encoding="utf-8") as f:
                for lineno, raw in enumerate(f, 1):
                    code, in_block = strip_comments_and_strings(raw.rstrip("\n"), in_block)
                    for pattern, what in FORBIDDEN:
                        if re.search(pattern, code):
                            problems.append("%s:%d: %s: %s" % (rel, lineno, what, raw.strip()))
    return problems


def check_links(root):
    problems = []
    for lib, (cmake, allowed) in PURE_LIBRARIES.items():
        with open(os.path.join(root, cmake), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"target_link_libraries\(\s*%s\b([^)]*)\)" % re.escape(lib), text):
            linked = set(re.findall(r"[A-Za-z_][\w:]*", m.group(1))) - {"PUBLIC", "PRIVATE",
                                                                       "INTERFACE"}
            for extra in sorted(linked - allowed):
                problems.append("%s: %s links %s (pure libraries link only %s)"
                                % (cmake, lib, extra, ", ".join(sorted(allowed))))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems = check_sources(root) + check_links(root)
    for p in problems:
        print(p)
    if problems:
        print("purity check: %d problem(s)" % len(problems))
        return 1
    print("purity check: %d folders clean" % len(PURE_FOLDERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
