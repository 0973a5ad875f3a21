"""The files of the repository a check reads: what git tracks, or, outside a git checkout (an
exported tree), every file below the root except build output."""
import os
import subprocess


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
        return [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", "build")]
            for name in filenames:
                files.append(os.path.relpath(os.path.join(dirpath, name), root))
        return files
