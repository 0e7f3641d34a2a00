#!/usr/bin/env bash
# Runs every test suite (CTest + GoogleTest) of the build made by scripts/setup.sh.
# Conformance suites read ../shared/corpus (or $MODELEXPORT_CORPUS) and skip with a message when absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${BUILD_DIR:-$root/build}"
exec ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
