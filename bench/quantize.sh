#!/usr/bin/env bash
# quantize benchmark (issue 5): q4 on a generated ~1 GB decoder-shaped model (bench/make_bert_model.py
# --head lm: 16 layers, hidden 1024, LM head over 30522 tokens, random weights): throughput in MB/s of
# float32 weights quantized, peak RSS against the model size, output size against the input size.
#   bench/quantize.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs="${1:-3}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
work="$root/build/bench-models"
mkdir -p "$work"
model="$work/decoder-1gb/model.onnx"
if [[ ! -f "$model" ]]; then
  /usr/bin/python3 bench/make_bert_model.py "$work/decoder-1gb" "$corpus" --head lm --layers 16 --hidden 1024 --heads 16 \
    --intermediate 4096 > /dev/null
fi
size=$(stat -c %s "$model")
for run in $(seq "$runs"); do
 for extra in "" "--quantize-embeddings"; do
  rm -f "$work/decoder-1gb-q4.onnx"
  echo -n "q4 $extra: "
  /usr/bin/time -f "%M %e" -o "$work/time.txt" build/modelexport quantize "$model" -o "$work/decoder-1gb-q4.onnx" $extra --no-accuracy --json > "$work/report.json"
  read -r rss_kb wall < "$work/time.txt"
  /usr/bin/python3 - "$work/report.json" "$size" "$rss_kb" "$wall" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); size = int(sys.argv[2]); rss = int(sys.argv[3]) * 1024; wall = float(sys.argv[4])
print(f"model {size/1e9:.2f} GB, {r['quantized']} MatMuls, weights {r['weights_mb_per_s']:.0f} MB/s in-process "
      f"({r['seconds']:.2f} s), process wall {wall:.2f} s = {size/1e6/wall:.0f} MB/s of model; peak RSS {rss/1e9:.2f} GB = {rss/size:.2f}x model; "
      f"output {r['size_after']/1e6:.0f} MB = {r['size_ratio']:.3f}x")
PY
 done
done
for dtype in q4 q4f16 q8 fp16; do
  rm -f "$work/decoder-1gb-$dtype.onnx"
  build/modelexport quantize "$model" -o "$work/decoder-1gb-$dtype.onnx" --dtype $dtype --json -q > "$work/report.json"
  /usr/bin/python3 -c "import json; r=json.load(open('$work/report.json')); a=r['accuracy']['outputs'][0]; print('$dtype: size %.3fx, %.1f s, cosine %.4f, top-1 %.3f, max |error| %.3g' % (r['size_ratio'], r['seconds'], a['cosine'], a['top1_agreement'], a['max_abs_error']))"
  rm -f "$work/decoder-1gb-$dtype.onnx"
done
