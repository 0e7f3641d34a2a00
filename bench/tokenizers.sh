#!/usr/bin/env bash
# Tokenizer benchmark, ours vs Hugging Face tokenizers (npm, pinned) in the same run, on the corpus's
# 20,390 multilingual texts: single-thread encode throughput (ids compared by checksum) and load time.
#   bench/tokenizers.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_tokenizer
runs="${1:-5}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
texts="$corpus/text/multilingual.jsonl"
for t in bert-uncased-wordpiece_all-MiniLM-L6-v2 gpt2-bytelevel-bpe phi-3 t5-small; do
  file="$corpus/tokenizers/$t/tokenizer.json"
  ours=$(build/bench/bench_tokenizer "$file" "$texts" "$runs")
  hf=$(RAYON_NUM_THREADS=1 node bench/hf_tokenizer_bench.mjs "$file" "$texts" "$runs")
  /usr/bin/python3 - "$t" "$ours" "$hf" <<'PY'
import json, sys
name, o, h = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
same = "ids equal" if str(o["checksum"]) == str(h["checksum"]) else "IDS DIFFER"
print(f"{name}: encode {o['mb_per_s']:.2f} MB/s vs HF {h['mb_per_s']:.2f} MB/s = {o['mb_per_s']/h['mb_per_s']:.2f}x ({same}); "
      f"load {o['load_ms']:.1f} ms vs HF {h['load_ms']:.1f} ms; json {o['json_bytes']/1e6:.2f} MB, held {o['held_bytes']/1e6:.2f} MB = {o['held_bytes']/o['json_bytes']:.2f}x json; "
      f"batch 1 thread {o['batch1_s']*1000:.0f} ms, 2 threads {o['batch2_s']*1000:.0f} ms = {o['batch1_s']/o['batch2_s']:.2f}x")
PY
done
