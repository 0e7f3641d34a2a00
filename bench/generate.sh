#!/usr/bin/env bash
# Text-generation speed and memory, ours vs transformers.js 4.3.1 on the same file and the same ONNX
# Runtime library, plus a bare ONNX Runtime loop for our per-token overhead.
#   [MODEL=bench|small] [ROUNDS=N] [NEW_TOKENS=N] [PROMPT_TOKENS=N] bench/generate.sh [OUT_DIR]
#   (after scripts/setup.sh; needs ../shared/corpus or $MODELEXPORT_CORPUS)
# Models: scripts/fixtures/make_decoder_models.py --bench (llama-bench: llama-like, hidden 512, 4
# layers, GQA 8/2, vocabulary 49152, random weights; the default) or --bench-small (llama-small: the
# test fixture's llama, hidden 64, 2 layers, GQA 4/2, head_dim 24, same vocabulary: a short step, so
# the loops' own costs show). Prints one JSON line per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/modelexport-generate-bench}
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
"$root/bench/build.sh" bench_generate modelexport_cli > /dev/null
kind=${MODEL:-bench}
name=llama-$kind
flag=--bench
[[ $kind == bench ]] || flag=--bench-$kind
if [[ ! -f "$out/$name.onnx" ]]; then
  mkdir -p "$out/tjs"
  /usr/bin/python3 "$root/scripts/fixtures/make_decoder_models.py" "$out/src" "$corpus" "$flag" 2> /dev/null
  "$root/build/modelexport" embed-metadata "$out/src/$name/model.onnx" "$out/src/$name" -o "$out/$name.onnx" -q
  "$root/build/modelexport" unpack "$out/$name.onnx" "$out/tjs/$name" --layout transformers.js > /dev/null
fi
prompt=${PROMPT_TOKENS:-32}
new=${NEW_TOKENS:-128}
rounds=${ROUNDS:-5}
runs="$out/runs-$name.jsonl"
: > "$runs"
# ROUNDS rounds, the implementations alternating within each, then the medians per (batch, impl)
# and the ratios; the load average is printed before and after. Ours and the bare loop run in one
# process on one session, twice each per round in the order ours, bare, bare, ours (`pair 2`), so
# the load falls on both alike; the overhead is the median of those same-process step-time ratios.
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for batch in 1 8; do
    "$root/build/bench/bench_generate" "$out/$name.onnx" "$prompt" "$new" "$batch" pair 2 | sed "s/^{/{\"round\":$round,/" |
      tee -a "$runs"
    (cd "$root" && node bench/transformers_js_generate_bench.mjs "$out/tjs/$name" "$prompt" "$new" "$batch") |
      sed "s/^{/{\"round\":$round,/" | tee -a "$runs"
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
        keys = ("prefill_tok_s", "ttft_ms", "decode_tok_s", "ms_per_step", "loop_ms_per_step", "peak_rss_mb")
        m = {k: statistics.median(r.get(k, 0) for r in rs) for k in keys}
        med[b, impl] = m
        print(json.dumps({"median_of": len(rs), "batch": b, "impl": impl, **{k: round(v, 2) for k, v in m.items()}}))
    ours, bare, tjs = med[b, "modelexport"], med[b, "bare-ort"], med[b, "transformers.js"]
    # Same-process pairs: each round's ours/bare step-time ratio (2 of each per round, adjacent).
    pair = []
    for rnd in sorted({r["round"] for r in runs}):
        o = [r["ms_per_step"] for r in runs if r["batch"] == b and r["round"] == rnd and r["impl"] == "modelexport"]
        e = [r["ms_per_step"] for r in runs if r["batch"] == b and r["round"] == rnd and r["impl"] == "bare-ort"]
        if o and e: pair.append(sum(o) / sum(e))
    print(json.dumps({"batch": b, "decode_vs_transformers_js": round(ours["decode_tok_s"] / tjs["decode_tok_s"], 3),
                      "prefill_vs_transformers_js": round(ours["prefill_tok_s"] / tjs["prefill_tok_s"], 3),
                      "overhead_vs_bare_ort_pct": round(100 * (statistics.median(pair) - 1), 2),
                      "overhead_per_round_pct": [round(100 * (p - 1), 2) for p in pair],
                      "ours_loop_ms_per_step": round(ours["loop_ms_per_step"], 3)}))
PY
# Peak RSS at 64 vs 1024 new tokens (batch 1): the difference should be the KV cache alone
# (4 layers × 2 × 2 kv heads × 64 dims × 4 bytes = 8 KB per token).
if [[ -z "${NO_RSS:-}" ]]; then
  for n in 64 1024; do "$root/build/bench/bench_generate" "$out/$name.onnx" 16 "$n" 1; done
fi
