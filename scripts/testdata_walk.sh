#!/usr/bin/env bash
# quantize over every libonnx-testdata model x fp16, q4f16, q4, q8 (issue 10's "done when"): each run
# refuses with a reason and writes nothing, or writes a model ONNX Runtime loads and runs on the test's
# own inputs within the dtype's tolerance (tests/quantize/testdata_walk.cc). The same walk runs in CI
# as the testdata_walk_test suite; this prints its time and writes one line per run to REPORT.
#   scripts/testdata_walk.sh [REPORT.tsv]      (default build/testdata_walk.tsv; BUILD_DIR as test.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${BUILD_DIR:-$root/build}"
report="${1:-$build/testdata_walk.tsv}"
[[ -x "$build/tests/testdata_walk_test" ]] || { echo "build first: cmake --build $build --target testdata_walk_test" >&2; exit 2; }
start=$(date +%s%N)
status=0
MODELEXPORT_TESTDATA_WALK=all MODELEXPORT_WALK_REPORT="$report" "$build/tests/testdata_walk_test" --gtest_brief=1 || status=$?
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf 'walk: %d.%03d s wall, report %s\n' $((ms / 1000)) $((ms % 1000)) "$report"
echo "runs per dtype and outcome:"
cut -f2,3 "$report" | sort | uniq -c
exit $status
