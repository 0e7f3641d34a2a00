#!/usr/bin/env bash
# Our per-step overhead over the bare ONNX Runtime loop in instructions, which the machine's load
# does not change: bench_generate under valgrind's callgrind, one intra-op thread, one process per
# loop (`ours`, `bare`), each a warm-up generation and then one measured; only the measured
# generation's decode steps are counted (the second step's start to the end: bench_generate starts and
# stops callgrind's instrumentation around them). Same model files as bench/generate.sh. Threads are
# counted apart (--separate-threads) and only the main thread, which runs every kernel with one
# intra-op thread, is compared: ONNX Runtime's own background thread (a timed wait) runs code at
# wall-clock intervals, so its share changes from run to run; it is printed as other_threads.
#   [MODEL=small|bench] [NEW_TOKENS=N] [PROMPT_TOKENS=N] [BATCHES="1 8"] [SPAN=decode|ttft] \
#     bench/generate_instructions.sh [OUT_DIR]
# SPAN=ttft counts the time-to-first-token span instead (the prompt step and the first token's
# choice; printed as instructions for the whole span).
#   (after scripts/setup.sh; bench/generate.sh OUT_DIR with the same MODEL makes the model first)
# Prints one JSON line per (batch, loop): instructions per decode step, and the overhead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/modelexport-generate-bench}
"$root/bench/build.sh" bench_generate > /dev/null
name=llama-${MODEL:-small}
[[ -f "$out/$name.onnx" ]] || { echo "no $out/$name.onnx: run MODEL=${MODEL:-small} bench/generate.sh $out first" >&2; exit 2; }
prompt=${PROMPT_TOKENS:-32}
new=${NEW_TOKENS:-64}
span=${SPAN:-decode}
steps=$((new - 1))
[[ $span == ttft ]] && steps=1
for batch in ${BATCHES:-1 8}; do
  declare -A ir=()
  for impl in ours bare; do
    file="$out/callgrind-$name-$span-$impl-b$batch.out"
    rm -f "$file"-*
    CALLGRIND_SPAN=$span INTRA_OP_THREADS=1 valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file="$file" \
      "$root/build/bench/bench_generate" "$out/$name.onnx" "$prompt" "$new" "$batch" "$impl" > /dev/null 2> "$file.log"
    total() { sed -n 's/^totals: \([0-9]*\).*/\1/p' "$@" | awk '{s += $1} END {print s + 0}'; }
    ir[$impl]=$(total "$file-01")
    others=$(total $(ls "$file"-* | grep -v -- '-01$') /dev/null)
    echo "{\"batch\":$batch,\"impl\":\"$impl\",\"span\":\"$span\",\"instructions_per_step\":$((ir[$impl] / steps)),\"other_threads_per_step\":$((others / steps)),\"file\":\"$file-01\"}"
  done
  /usr/bin/python3 -c "import sys; o, b = int(sys.argv[1]), int(sys.argv[2]); print('{\"batch\":%s,\"span\":\"%s\",\"instruction_overhead_pct\":%.3f}' % (sys.argv[3], sys.argv[4], 100 * (o / b - 1)))" \
    "${ir[ours]}" "${ir[bare]}" "$batch" "$span"
done
