#!/usr/bin/env bash
# The README's test command: install dependencies, build, run every test tier through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600 -j"${VIGIL_TEST_JOBS:-2}" "$@"
