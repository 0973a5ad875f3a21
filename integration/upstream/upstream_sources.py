"""Redis 7.0.15's own test sources, fetched at test time from Debian's source package.

Nothing here runs at build time and nothing is kept in the repository: the sources are unpacked
into a cache folder (by default inside the build tree) the first time a run needs them. The
`deb-src` entry is added when the machine has none, since `apt-get source` needs one.
"""
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

REDIS_VERSION = "7.0.15"
DEB_SRC_FILE = "/etc/apt/sources.list.d/vigil-deb-src.sources"


def _has_deb_src():
    paths = ["/etc/apt/sources.list"] + glob.glob("/etc/apt/sources.list.d/*")
    for p in paths:
        try:
            with open(p) as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            s = line.strip()
            if s.startswith("deb-src ") or (s.startswith("Types:") and "deb-src" in s):
                return True
    return False


def _add_deb_src():
    """Mirrors the machine's Debian `deb` entries as `deb-src` (deb822 format)."""
    with open(DEB_SRC_FILE, "w") as f:
        f.write(
            "Types: deb-src\n"
            "URIs: http://deb.debian.org/debian\n"
            "Suites: bookworm bookworm-updates\n"
            "Components: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
            "Types: deb-src\n"
            "URIs: http://deb.debian.org/debian-security\n"
            "Suites: bookworm-security\n"
            "Components: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")


def _run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=600)
    if p.returncode != 0:
        sys.exit("upstream: '%s' failed:\n%s" % (" ".join(cmd), p.stdout[-3000:]))
    return p.stdout


def redis_sources(cache_dir):
    """Returns the path of an unpacked redis-7.0.15 tree, downloading it once."""
    tree = os.path.join(cache_dir, "redis-" + REDIS_VERSION)
    if os.path.isfile(os.path.join(tree, "tests", "test_helper.tcl")):
        return tree
    os.makedirs(cache_dir, exist_ok=True)
    if os.geteuid() != 0:
        sys.exit("upstream: fetching Redis's test sources needs root (apt-get source); "
                 "or unpack redis-%s into %s" % (REDIS_VERSION, tree))
    if not _has_deb_src():
        print("upstream: adding a deb-src entry (%s)" % DEB_SRC_FILE, flush=True)
        _add_deb_src()
        _run(["apt-get", "update", "-qq"])
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        print("upstream: apt-get source --download-only redis", flush=True)
        _run(["apt-get", "source", "--download-only", "redis"], cwd=tmp)
        orig = glob.glob(os.path.join(tmp, "redis_%s.orig.tar.*" % REDIS_VERSION))
        if not orig:
            found = ", ".join(sorted(os.listdir(tmp)))
            sys.exit("upstream: Debian's source package is not redis %s (got: %s)" %
                     (REDIS_VERSION, found))
        with tarfile.open(orig[0]) as t:
            t.extractall(tmp)
        shutil.move(os.path.join(tmp, "redis-" + REDIS_VERSION), tree)
    return tree


def prepare_side(sources, work_dir, server, sentinel):
    """A private copy of the test tree whose src/ holds the servers under Redis's names.

    The suites start `src/redis-server` and `src/redis-sentinel` relative to the tree; the tools
    (redis-cli, redis-benchmark, redis-check-*) are always Debian's.
    """
    if os.path.isdir(work_dir):
        shutil.rmtree(work_dir)
    os.makedirs(work_dir)
    for item in ("tests", "runtest", "runtest-sentinel", "runtest-cluster", "runtest-moduleapi",
                 "utils"):
        src = os.path.join(sources, item)
        dst = os.path.join(work_dir, item)
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        elif os.path.exists(src):
            shutil.copy2(src, dst)
    os.makedirs(os.path.join(work_dir, "src"))
    links = {
        "redis-server": server,
        "redis-sentinel": sentinel,
        "redis-cli": "/usr/bin/redis-cli",
        "redis-benchmark": "/usr/bin/redis-benchmark",
        "redis-check-aof": "/usr/bin/redis-check-aof",
        "redis-check-rdb": "/usr/bin/redis-check-rdb",
    }
    for name, target in links.items():
        os.symlink(target, os.path.join(work_dir, "src", name))
    return work_dir
