#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/, docs/fuzzing.md) for SECONDS each, seeded from real files
# (../shared/corpus, libonnx-testdata, tests/fixtures, fuzz/regressions), and prints per target the
# executions, coverage reached (libFuzzer's cov: edges and ft: features) and what was found. Exits 1
# when a target found a crash, leak, timeout or sanitizer report; the input is in build-fuzz/artifacts/
# (check it in under fuzz/regressions/TARGET/ once fixed: the fuzz_regressions test replays those in
# every build).
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]     e.g. scripts/fuzz.sh 600
# Environment: BUILD_DIR (default build-fuzz), MODELEXPORT_CORPUS, FUZZ_JOBS (parallel targets, default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
build=${BUILD_DIR:-build-fuzz}
corpus=${MODELEXPORT_CORPUS:-$root/../shared/corpus}
jobs=${FUZZ_JOBS:-2}
log() { printf '[fuzz] %s\n' "$*" >&2; }

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup.sh installs clang)" >&2; exit 2; }
export CCACHE_BASEDIR="$root"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMODELEXPORT_FUZZ=ON \
    -DMODELEXPORT_WITH_RUNTIME=OFF -DMODELEXPORT_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
fi
log "building the targets in $build"
cmake --build "$build" -j2 --target fuzz_targets | grep -v '^\[' || true
mapfile -t all < <(sed -n '/^set(ME_FUZZ_TARGETS/,/)/p' cmake/fuzz_targets.cmake | tr ' ()' '\n\n\n' | grep '^fuzz_')
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ -x "$build/fuzz/$t" ]] || { echo "fuzz: $build/fuzz/$t was not built (see the build output above)" >&2; exit 2; }
done

seeds="$build/seeds"
rm -rf "$seeds"
/usr/bin/python3 fuzz/make_seeds.py "$seeds" "$corpus" >/dev/null
mkdir -p "$build/artifacts" "$build/logs"

run_target() {  # TARGET: one libFuzzer run, its log in $build/logs/TARGET.log
  local t=$1 dict=()
  case $t in
    fuzz_tokenizer_json | fuzz_configs | fuzz_metadata_value | fuzz_generation_config | fuzz_preprocessor_config) dict=(-dict=fuzz/json.dict) ;;
    fuzz_onnx_scan | fuzz_metadata_reader | fuzz_quantize_graph) dict=(-dict=fuzz/onnx.dict) ;;
  esac
  mkdir -p "$build/corpus/$t" "$seeds/$t"
  # -rss_limit_mb / -malloc_limit_mb: bounded memory is part of the contract (issue 17);
  # -timeout: an input taking over 10 s is a finding.
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=1048576 -print_final_stats=1 -close_fd_mask=1 "${dict[@]}" \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "$seeds/$t" > "$build/logs/$t.log" 2>&1
}
export -f run_target
export build seeds seconds
log "running ${#targets[@]} targets for ${seconds} s each, $jobs at a time"
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_target {} || echo "{}" >> "$build/logs/failed"' || true

printf '%-24s %11s %7s %8s %8s %8s %9s %s\n' target executions exec/s coverage features "rss MB" "slowest s" result
for t in "${targets[@]}"; do
  l="$build/logs/$t.log"
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$l" | awk '{print $2}' | tail -1)
  rate=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$l" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$l" | awk '{print $2}' | tail -1)
  ft=$(grep -o 'ft: [0-9]*' "$l" | awk '{print $2}' | tail -1)
  rss=$(grep -oE 'stat::peak_rss_mb: +[0-9]+' "$l" | awk '{print $2}' | tail -1)
  slowest=$(grep -oE 'stat::slowest_unit_time_sec: +[0-9]+' "$l" | awk '{print $2}' | tail -1)
  result=ok
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|SUMMARY: |ALARM: working on the last Unit|out-of-memory|runtime error:|fuzz: an exception' "$l"; then
    result="FOUND: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|runtime error: .{0,60}|fuzz: an exception.{0,80}|out-of-memory|ALARM.*' "$l") (log $l)"
    status=1
  fi
  printf '%-24s %11s %7s %8s %8s %8s %9s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${rss:-?}" "${slowest:-?}" "$result"
done
rm -f "$build/logs/failed"
exit $status
