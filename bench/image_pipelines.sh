#!/usr/bin/env bash
# image-classification end to end, ours and transformers.js 4.3.1 (npm, pinned) in the same run,
# alternating, on the same self-contained model (the generated ViT-style classifier of
# scripts/fixtures/make_image_models.py: ViTImageProcessor 224x224 bilinear) and the same JPEG files:
#   - 32 images of 1600x1200 (2 MP, cut from a corpus photo) as one batch on 2 threads
#   - one 12-megapixel JPEG (4000x3000)
# Ours: `modelexport run --threads 2 --batch-size 32` (process start and model load included);
# transformers.js: one pipeline, warm, the call alone (decoding with sharp included). Medians of RUNS
# of wall time and of CPU time (user + system, all threads: on a loaded machine wall time mostly
# measures the scheduler).
#   bench/image_pipelines.sh [RUNS]        (default 5; needs build/modelexport)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs="${1:-5}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
cli="$root/build/modelexport"
[[ -x "$cli" ]] || { echo "build modelexport first (cmake --build build --target modelexport_cli)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 scripts/fixtures/make_image_models.py "$work/src" "$corpus" > /dev/null
"$cli" embed-metadata "$work/src/vit-cls/model.onnx" "$work/src/vit-cls" -o "$work/vit-cls.onnx" -q
mkdir -p "$work/tjs"
"$cli" unpack "$work/vit-cls.onnx" "$work/tjs/vit-cls" --layout transformers.js > /dev/null
/usr/bin/python3 - "$corpus/media/images/photo-1585521747230-516376e5a85d.jpg" "$work" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").resize((4000, 3000), Image.BICUBIC)
im.save(f"{sys.argv[2]}/12mp.jpg", quality=92)
for i in range(32):
    im.crop((i * 10, i * 7, i * 10 + 1600, i * 7 + 1200)).save(f"{sys.argv[2]}/batch_{i}.jpg", quality=90)
PY
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "image-classification end to end, $(nproc) cores, $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for set in batch 12mp; do
  if [[ $set == batch ]]; then images=("$work"/batch_*.jpg); else images=("$work/12mp.jpg"); fi
  ours=() ours_cpu=() theirs=() theirs_cpu=()
  for _ in $(seq "$runs"); do
    # Wall and CPU (user + system) ms of the whole process: start, model load, decode, run, print.
    read -r wall cpu < <(/usr/bin/time -f "%e %U %S" "$cli" run "$work/vit-cls.onnx" "${images[@]}" --threads 2 \
      --batch-size 32 --json 2>&1 > /dev/null | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}')
    ours+=("$wall") ours_cpu+=("$cpu")
    read -r wall cpu < <(node bench/transformers_js_image_bench.mjs "$work/tjs/vit-cls" 2 1 "${images[@]}" |
      /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(round(j["times_ms"][0]), round(j["cpu_ms"][0]))')
    theirs+=("$wall") theirs_cpu+=("$cpu")
  done
  o=$(printf '%s\n' "${ours[@]}" | median) t=$(printf '%s\n' "${theirs[@]}" | median)
  oc=$(printf '%s\n' "${ours_cpu[@]}" | median) tc=$(printf '%s\n' "${theirs_cpu[@]}" | median)
  echo "$set (${#images[@]} images): wall ours ${o} ms (${ours[*]}), transformers.js ${t} ms (${theirs[*]}), ratio $(echo "scale=2; $t / $o" | bc)"
  echo "  CPU ours ${oc} ms (${ours_cpu[*]}), transformers.js ${tc} ms (${theirs_cpu[*]}), ratio $(echo "scale=2; $tc / $oc" | bc)"
  /usr/bin/time -f "  ours peak RSS: %M KB" "$cli" run "$work/vit-cls.onnx" "${images[@]}" --threads 2 --batch-size 32 > /dev/null
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
