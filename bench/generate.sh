#!/usr/bin/env bash
# Text-generation speed and memory, ours vs transformers.js 4.3.1 on the same file and the same ONNX
# Runtime library, plus a bare ONNX Runtime loop for our per-token overhead.
#   bench/generate.sh [OUT_DIR]      (after scripts/setup.sh; needs ../shared/corpus or $MODELEXPORT_CORPUS)
# Model: scripts/fixtures/make_decoder_models.py --bench (llama-like, hidden 512, 4 layers, GQA 8/2,
# vocabulary 49152, random weights). Prints one JSON line per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/modelexport-generate-bench}
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
"$root/bench/build.sh" bench_generate modelexport_cli > /dev/null
if [[ ! -f "$out/llama-bench.onnx" ]]; then
  mkdir -p "$out/tjs"
  /usr/bin/python3 "$root/scripts/fixtures/make_decoder_models.py" "$out/src" "$corpus" --bench 2> /dev/null
  "$root/build/modelexport" embed-metadata "$out/src/llama-bench/model.onnx" "$out/src/llama-bench" -o "$out/llama-bench.onnx" -q
  "$root/build/modelexport" unpack "$out/llama-bench.onnx" "$out/tjs/llama-bench" --layout transformers.js > /dev/null
fi
prompt=${PROMPT_TOKENS:-32}
new=${NEW_TOKENS:-128}
rounds=${ROUNDS:-3}
runs="$out/runs.jsonl"
: > "$runs"
# ROUNDS rounds, the three implementations alternating within each, then the medians per
# (batch, impl) and the ratios; the load average is printed before and after.
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for batch in 1 8; do
    "$root/build/bench/bench_generate" "$out/llama-bench.onnx" "$prompt" "$new" "$batch" | tee -a "$runs"
    "$root/build/bench/bench_generate" "$out/llama-bench.onnx" "$prompt" "$new" "$batch" bare | tee -a "$runs"
    (cd "$root" && node bench/transformers_js_generate_bench.mjs "$out/tjs/llama-bench" "$prompt" "$new" "$batch") |
      tee -a "$runs"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$runs" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = {}
for b in sorted({r["batch"] for r in runs}):
    for impl in ("modelexport", "bare-ort", "transformers.js"):
        rs = [r for r in runs if r["batch"] == b and r["impl"] == impl]
        m = {k: statistics.median(r[k] for r in rs) for k in ("prefill_tok_s", "ttft_ms", "decode_tok_s", "ms_per_step", "peak_rss_mb")}
        med[b, impl] = m
        print(json.dumps({"median_of": len(rs), "batch": b, "impl": impl, **{k: round(v, 2) for k, v in m.items()}}))
    ours, bare, tjs = med[b, "modelexport"], med[b, "bare-ort"], med[b, "transformers.js"]
    print(json.dumps({"batch": b, "decode_vs_transformers_js": round(ours["decode_tok_s"] / tjs["decode_tok_s"], 3),
                      "prefill_vs_transformers_js": round(ours["prefill_tok_s"] / tjs["prefill_tok_s"], 3),
                      "overhead_vs_bare_ort_pct": round(100 * (ours["ms_per_step"] / bare["ms_per_step"] - 1), 2)}))
PY
# Peak RSS at 64 vs 1024 new tokens (batch 1): the difference should be the KV cache alone
# (4 layers × 2 × 2 kv heads × 64 dims × 4 bytes = 8 KB per token).
for n in 64 1024; do "$root/build/bench/bench_generate" "$out/llama-bench.onnx" 16 "$n" 1; done
