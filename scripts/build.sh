#!/usr/bin/env bash
# Configures and builds everything into build/ (binaries in build/bin/). Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=ON >/dev/null
cmake --build build -j"${VIGIL_JOBS:-2}"
