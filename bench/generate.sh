#!/usr/bin/env bash
# Text-generation speed and memory, ours vs transformers.js 4.3.1 on the same file and the same ONNX
# Runtime library, plus a bare ONNX Runtime loop for our per-token overhead.
#   [MODEL=bench|small] [ROUNDS=N] [NEW_TOKENS=N] [PROMPT_TOKENS=N] [SETS="default single nospin"] [NO_RSS=1]
#   bench/generate.sh [OUT_DIR]
#   (after scripts/setup.sh; needs ../shared/corpus or $MODELEXPORT_CORPUS)
# Models: scripts/fixtures/make_decoder_models.py --bench (llama-bench: llama-like, hidden 512, 4
# layers, GQA 8/2, vocabulary 49152, random weights; the default) or --bench-small (llama-small: the
# test fixture's llama, hidden 64, 2 layers, GQA 4/2, head_dim 24, same vocabulary: a short step, so
# the loops' own costs show). Prints one JSON line per run, then the medians and ratios.
#
# Each round, for batch 1 and 8, and for each thread setting in SETS (default "default single"; set
# "default": ONNX Runtime's default intra-op threads, as users run it; set "single": INTRA_OP_THREADS=1
# on both sides, where the process's CPU time per step is a figure the machine's load moves much less;
# set "nospin": default threads with ORT_SPINNING=0 on both sides, the intra-op workers sleeping
# between parallel sections instead of busy-waiting):
#   ours and the bare loop in one process (`bench_generate ... pair 2`: a warm-up generation of each,
#   then ours, bare, bare, ours on one session) and transformers.js (a warm-up generate(), then one
#   measured), their order alternating from round to round.
# The overhead is the median over rounds of each round's ours/bare step-time ratio (same process,
# adjacent runs), in wall time and in CPU time. Medians are over the "measured" runs; the warm-up
# runs give the cold (first generation in the process) time to first token.
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
tag() { sed "s/^{/{\"round\":$1,\"set\":\"$2\",/" | tee -a "$runs"; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  $(date -u +%FT%TZ)"
for round in $(seq "$rounds"); do
  for batch in 1 8; do
    for set in ${SETS:-default single}; do
      threads=0
      [[ $set == single ]] && threads=1
      spin=()
      [[ $set == nospin ]] && spin=(ORT_SPINNING=0)
      ours() {
        env "${spin[@]}" INTRA_OP_THREADS=$threads "$root/build/bench/bench_generate" "$out/$name.onnx" "$prompt" "$new" \
          "$batch" pair 2 | tag "$round" $set
      }
      tjs() {
        (cd "$root" && env "${spin[@]}" INTRA_OP_THREADS=$threads node bench/transformers_js_generate_bench.mjs \
          "$out/tjs/$name" "$prompt" "$new" "$batch") | tag "$round" $set
      }
      if ((round % 2)); then ours && tjs; else tjs && ours; fi
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)  $(date -u +%FT%TZ)"
/usr/bin/python3 - "$runs" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
SETS = [s for s in ("default", "single", "nospin") if any(r["set"] == s for r in runs)]  # the sets run, in order
med = statistics.median
def pick(b, impl, set_, phase="measured"):
    return [r for r in runs if r["batch"] == b and r["impl"] == impl and r["set"] == set_ and r["phase"] == phase]
keys = ("prefill_tok_s", "ttft_ms", "ttft_cpu_ms", "decode_tok_s", "ms_per_step", "cpu_ms_per_step",
        "loop_ms_per_step", "peak_rss_mb")
for b in sorted({r["batch"] for r in runs}):
    m = {}
    for set_ in SETS:
        for impl in ("modelexport", "bare-ort", "transformers.js"):
            rs = pick(b, impl, set_)
            if not rs: continue
            m[set_, impl] = {k: med(r[k] for r in rs) for k in keys if k in rs[0]}
            cold = pick(b, impl, set_, "warmup")
            cold = [r for r in cold if impl != "bare-ort"]  # bare's warm-up runs second: not cold
            extra = {"cold_ttft_ms": round(med(r["ttft_ms"] for r in cold), 2)} if cold else {}
            print(json.dumps({"set": set_, "median_of": len(rs), "batch": b, "impl": impl,
                              **{k: round(v, 3) for k, v in m[set_, impl].items()}, **extra}))
    summary = {"batch": b}
    for set_ in SETS:
        if (set_, "modelexport") not in m or (set_, "transformers.js") not in m: continue
        ours, tjs = m[set_, "modelexport"], m[set_, "transformers.js"]
        summary[f"{set_}_decode_vs_transformers_js"] = round(ours["decode_tok_s"] / tjs["decode_tok_s"], 3)
        summary[f"{set_}_prefill_vs_transformers_js"] = round(ours["prefill_tok_s"] / tjs["prefill_tok_s"], 3)
        # The same two ratios in CPU time (the process's, every thread): what the load moves least.
        if tjs.get("cpu_ms_per_step"):
            summary[f"{set_}_decode_cpu_vs_transformers_js"] = round(tjs["cpu_ms_per_step"] / ours["cpu_ms_per_step"], 3)
            summary[f"{set_}_ttft_cpu_vs_transformers_js"] = round(tjs["ttft_cpu_ms"] / ours["ttft_cpu_ms"], 3)
    # Per round: ours/bare over the same process's adjacent runs (2 of each), wall and CPU; the median.
    for set_ in SETS:
        for key, label in (("ms_per_step", "wall"), ("cpu_ms_per_step", "cpu"), ("ttft_ms", "ttft_wall"),
                           ("ttft_cpu_ms", "ttft_cpu")):
            pair = []
            for rnd in sorted({r["round"] for r in runs}):
                o = [r[key] for r in pick(b, "modelexport", set_) if r["round"] == rnd]
                e = [r[key] for r in pick(b, "bare-ort", set_) if r["round"] == rnd]
                if o and e: pair.append(sum(o) / sum(e))
            if not pair: continue
            summary[f"{set_}_{label}_overhead_pct"] = round(100 * (med(pair) - 1), 2)
            if label in ("wall", "cpu"):
                summary[f"{set_}_{label}_per_round_pct"] = [round(100 * (p - 1), 2) for p in pair]
    print(json.dumps(summary))
PY
# Peak RSS at 64 vs 1024 new tokens (batch 1, one generation, no warm-up): the difference should be
# the KV cache alone (llama-bench: 4 layers × 2 × 2 kv heads × 64 dims × 4 bytes = 8 KB per token).
if [[ -z "${NO_RSS:-}" ]]; then
  for n in 64 1024; do WARMUP=0 "$root/build/bench/bench_generate" "$out/$name.onnx" 16 "$n" 1; done
fi
