#!/usr/bin/env python3
"""libvigil-client is installable: `cmake --install` into a temporary prefix, then
client-sdk/examples/ is built against that prefix twice, with find_package(VigilClient) and with
pkg-config, and each example binary runs (--help, then a short run that must report, as a value,
that no sentinel answers).
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness as h  # noqa: E402


def run(cmd, res, name, env=None, expect=0):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=240)
    out = p.stdout.decode(errors="replace")
    res.check(p.returncode == expect, name, "exit %d\n%s" % (p.returncode, out[-3000:]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    res = h.Results()
    tmp = tempfile.mkdtemp(prefix="vigil-install-")
    try:
        prefix = os.path.join(tmp, "prefix")
        run(["cmake", "--install", args.build_dir, "--prefix", prefix], res,
            "cmake --install puts the SDK in a prefix")
        files = []
        for root, _dirs, names in os.walk(prefix):
            files += [os.path.relpath(os.path.join(root, n), prefix) for n in names]
        for wanted in ("include/vigil/client/client.h", "include/vigil/client/options.h",
                       "include/vigil/client/errors.h", "include/vigil/client/reply.h",
                       "cmake/VigilClient/VigilClientConfig.cmake", "pkgconfig/vigil-client.pc",
                       "libvigil-client.so"):
            res.check(any(f.endswith(wanted) for f in files), "installed: %s" % wanted)
        res.check(not any("/src/" in f or f.endswith("discovery_fsm.h") for f in files),
                  "private headers are not installed")
        examples = os.path.join(args.source_dir, "client-sdk", "examples")
        ex_build = os.path.join(tmp, "examples-cmake")
        run(["cmake", "-S", examples, "-B", ex_build, "-DCMAKE_PREFIX_PATH=" + prefix], res,
            "examples configure with find_package(VigilClient)")
        run(["cmake", "--build", ex_build, "-j2"], res, "examples build against the install")
        binary = os.path.join(ex_build, "follow_failover")
        out = run([binary, "--help"], res, "find_package example runs --help")
        res.check("usage" in out, "the example prints its usage")

        libdir = os.path.dirname([os.path.join(prefix, f) for f in files
                                  if f.endswith("libvigil-client.so")][0])
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"))
        flags = run(["pkg-config", "--cflags", "--libs", "vigil-client"], res,
                    "pkg-config knows vigil-client", env=env).split()
        pc_binary = os.path.join(tmp, "follow_failover_pc")
        run(["g++", os.path.join(examples, "follow_failover.cc"), "-o", pc_binary] + flags +
            ["-Wl,-rpath," + libdir], res, "the example builds with pkg-config flags")
        run([pc_binary, "--help"], res, "pkg-config example runs --help")
        # A short run with a sentinel address nobody listens on: the SDK reports the failure as
        # an error value (exit 1 from the example), no crash, no exception.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        out = run([pc_binary, "--sentinels", "127.0.0.1:%d" % port, "--master", "mymaster",
                   "--count", "1"], res, "a short run without sentinels fails cleanly", expect=1)
        res.check("no_sentinel" in out, "the failure names its cause (no_sentinel)", out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
