#!/usr/bin/env bash
# Encoder-decoder generation speed, ours vs transformers.js 4.3.1 on the same generated T5-shaped set
# (tests/runtime/make_seq2seq_models.sh: d_model 32, 2 layers, vocabulary 32128), greedy batch 1 and
# 8, 32 new tokens per text; then beam search cost per beam (ours; transformers.js has no beam search).
#   bench/seq2seq.sh [MODELS_DIR]    (default build/tests/seq2seq_models, made when missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/bench/build.sh" bench_seq2seq modelexport_cli > /dev/null
models=${1:-$root/build/tests/seq2seq_models}
[[ -d "$models" ]] || MODELEXPORT_CORPUS=${MODELEXPORT_CORPUS:-$root/../shared/corpus} \
  "$root/tests/runtime/make_seq2seq_models.sh" "$root/build/modelexport" "$models"
texts=$(mktemp)
trap 'rm -f "$texts"' EXIT
for i in 1 2 3 4 5 6 7 8; do
  echo "{\"text\":\"translate English to French: sentence number $i of the benchmark, a few words long.\"}"
done > "$texts"
# ROUNDS rounds (default 5), ours and transformers.js alternating at each batch size, so both see the
# same machine load; each line is one round's median, then the median of the rounds and the load.
rounds=${ROUNDS:-5}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'; }
declare -A runs
for ((r = 1; r <= rounds; ++r)); do
  for batch in 1 8; do
    ours=$("$root/build/bench/bench_seq2seq" "$models/t5-translation" "$texts" $batch 3 32)
    theirs=$(node "$root/bench/transformers_js_seq2seq_bench.mjs" "$models/tjs/t5-translation" "$texts" $batch 3 32)
    echo "round $r batch $batch ours $ours transformers.js $theirs"
    runs[ours$batch]+="$(sed 's/.*"median_ms":\([0-9.]*\).*/\1/' <<< "$ours") "
    runs[theirs$batch]+="$(sed 's/.*"median_ms":\([0-9.]*\).*/\1/' <<< "$theirs") "
  done
done
for batch in 1 8; do
  o=$(tr ' ' '\n' <<< "${runs[ours$batch]}" | grep . | median)
  t=$(tr ' ' '\n' <<< "${runs[theirs$batch]}" | grep . | median)
  echo "batch $batch: ours $o ms, transformers.js $t ms, ratio $(awk -v o="$o" -v t="$t" 'BEGIN {printf "%.2f", t / o}')x"
done
echo "load: $(uptime)"
for beams in 1 2 4 8; do
  echo "ours beams      $("$root/build/bench/bench_seq2seq" "$models/t5-translation" "$texts" 1 3 32 $beams)"
done
