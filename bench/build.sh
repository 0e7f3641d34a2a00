#!/usr/bin/env bash
# Builds the benchmark programs into build/bench: a plain build leaves them out
# (MODELEXPORT_BUILD_BENCH is OFF by default), so each bench/*.sh calls this first.
#   bench/build.sh [TARGET...]       (after scripts/setup.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"  # the bench scripts run build/modelexport and build/bench/*
cmake -S "$root" -B "$build" -DMODELEXPORT_BUILD_BENCH=ON > /dev/null
cmake --build "$build" -j"$(nproc)" ${1:+--target "$@"}
