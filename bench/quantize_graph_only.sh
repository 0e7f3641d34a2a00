#!/usr/bin/env bash
# quantize on the corpus's graph-only exports (issue 10): the real graphs with deterministic random
# weights written for their absent external data (bench/synthesize_weights.py), quantized by default
# (q4, accuracy check on); prints what the report measured. Too large for CI (gemma-3's vision
# encoder is 1.7 GB of float32 and runs 4096 patches per image; its decoder and SmolLM3 are 12-16 GB).
# Measured (2026-12-01, 2 shared cores): gemma-3-4b vision encoder, q4 by default: 163 MatMuls,
# 1.68 GB -> 282 MB (0.168x); accuracy on synthetic inputs (batch_size=1, height=896, width=896):
# image_features cosine 0.9889, max |error| 0.405; 744 s wall (nearly all the two ORT runs at 4096
# patches), peak RSS 3.6 GB.
#   bench/quantize_graph_only.sh [DTYPE [CASE...]]   (CASE: 1-based index into cases below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dtype="${1:-q4}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
work="$root/build/bench-graph-only"
mkdir -p "$work"
# model (relative to the corpus's models/), image size for its processor config (0: none)
# Pass case numbers to run a subset (the decoders need ~13-16 GB of RAM each: run them on an idle machine).
cases=("gemma-3-4b-vlm-graph-only/onnx/vision_encoder.onnx 896"
       "SmolLM3-3B-ONNX-graph-only/onnx/model.onnx 0"
       "gemma-3-4b-vlm-graph-only/onnx/decoder_model_merged.onnx 0"
       "gemma-3-4b-vlm-graph-only/onnx/decoder_model_merged_fp16.onnx 0")
selected=("${@:2}")
index=0
for c in "${cases[@]}"; do
  index=$((index + 1))
  if ((${#selected[@]})) && [[ ! " ${selected[*]} " == *" $index "* ]]; then continue; fi
  read -r model image <<< "$c"
  dir="$work/$(dirname "$(dirname "$model")")"
  [[ -f "$dir/$(basename "$model")" ]] || /usr/bin/python3 bench/synthesize_weights.py "$corpus/models/$model" "$dir" --image-size "$image"
  # The folder's config.json and tokenizer files (vocab size for in-range ids), where the export has them.
  for f in "$corpus/models/$(dirname "$(dirname "$model")")"/*.json; do
    [[ -f "$f" && ! -f "$dir/$(basename "$f")" ]] && cp "$f" "$dir/"
  done
  out="$work/$(basename "$model" .onnx)_$dtype.onnx"
  rm -f "$out" "${out}_data"
  /usr/bin/time -f "%M %e" -o "$work/time.txt" build/modelexport quantize "$dir/$(basename "$model")" -o "$out" --dtype "$dtype" --json -q > "$work/report.json"
  read -r rss_kb wall < "$work/time.txt"
  /usr/bin/python3 - "$work/report.json" "$model" "$rss_kb" "$wall" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); a = r.get("accuracy", {})
print(f"{sys.argv[2]} {r['dtype']}: {r['quantized']} MatMuls, size {r['size_ratio']:.3f}x, wall {float(sys.argv[4]):.0f} s, "
      f"peak RSS {int(sys.argv[3]) / 1e6:.1f} GB; accuracy on {a.get('inputs')}: {a.get('skipped', '')}")
for o in a.get("outputs", []):
    print(f"  {o['name']}: cosine {o['cosine']:.6f}, max |error| {o['max_abs_error']:.3g}, top-1 {o['top1_agreement']:.3f}")
f = r.get("fp16_range")
if f:
    print(f"  float16 range: {f.get('skipped') or 'flagged' if f.get('flagged') else 'nothing flagged'}; "
          f"{f['source_tensors']} source / {f['result_tensors']} result tensors scanned"
          + (f"; note: {f['note']}" if f.get("note") else ""))
PY
  rm -f "$out" "${out}_data"
done
