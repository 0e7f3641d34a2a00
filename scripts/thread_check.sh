#!/usr/bin/env bash
# The ThreadSanitizer job (issue 17): builds the concurrent paths with -fsanitize=thread in
# build-tsan/ and runs every test that exercises threads: pipelines called from several threads,
# encode_batch on several threads, quantize's worker threads, and any test whose name says Thread,
# Concurrent or Parallel. Zero reports is the bar: the first report fails its test.
#   scripts/thread_check.sh            (after scripts/setup.sh; CI's step)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build-tsan}
export CCACHE_BASEDIR="$root"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
ort_args=()
[[ -f .deps/onnxruntime/include/onnxruntime_cxx_api.h ]] && ort_args=(-DONNXRUNTIME_ROOT="$root/.deps/onnxruntime")
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMODELEXPORT_TSAN=ON "${ort_args[@]}" "${launcher[@]}" >/dev/null
fi
# Only the programs the threaded tests need: a TSan build of everything would double CI's build time.
cmake --build "$build" -j2 --target modelexport_cli processors_test pipeline_test quantize_test | grep -v '^\[' || true
pattern='Thread|Concurren|Parallel|task_models'
ctest --test-dir "$build" --output-on-failure -j2 -R "$pattern"
