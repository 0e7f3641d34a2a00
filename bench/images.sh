#!/usr/bin/env bash
# Image preprocessing speed and memory: a 12-megapixel JPEG decoded and processed to CLIP's 224x224
# (resize shortest edge 224 bicubic, center crop, rescale, normalize) by `modelexport preprocess`
# and by Pillow 9.4 + numpy doing the same steps (scripts/golden/image_preprocess.py's functions).
#   bench/images.sh [BUILD_DIR]        (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${1:-$root/build}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
clip="$corpus/models/clip-vit-large-patch14"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$corpus/media/images/photo-1585521747230-516376e5a85d.jpg" "$work" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").resize((4000, 3000), Image.BICUBIC)
im.save(f"{sys.argv[2]}/12mp.jpg", quality=92)
for i in range(32):
    im.crop((i * 10, i * 7, i * 10 + 1600, i * 7 + 1200)).save(f"{sys.argv[2]}/batch_{i}.jpg", quality=90)
PY
echo "12 MP JPEG (4000x3000) → CLIP 224x224, $(nproc) cores, $(date -u +%F)"
runs=5
start=$(date +%s.%N)
for _ in $(seq $runs); do "$build/modelexport" preprocess "$clip" "$work/12mp.jpg" --npy "$work/out" > /dev/null; done
end=$(date +%s.%N)
echo "modelexport preprocess (process start included): $(echo "($end - $start) * 1000 / $runs" | bc) ms per image"
/usr/bin/time -f "modelexport peak RSS: %M KB (decoded image: $((4000 * 3000 * 3 / 1024)) KB)" \
  "$build/modelexport" preprocess "$clip" "$work/12mp.jpg" --npy "$work/out"
/usr/bin/python3 - "$root" "$clip" "$work" $runs <<'PY'
import json, sys, time
sys.path.insert(0, f"{sys.argv[1]}/scripts/golden")
import image_preprocess as ref
config = json.load(open(f"{sys.argv[2]}/preprocessor_config.json"))
runs = int(sys.argv[4])
ref.preprocess(config, [f"{sys.argv[3]}/12mp.jpg"])
t = time.perf_counter()
for _ in range(runs):
    ref.preprocess(config, [f"{sys.argv[3]}/12mp.jpg"])
print(f"Pillow 9.4 + numpy, same steps (in process, warm): {(time.perf_counter() - t) * 1000 / runs:.0f} ms per image")
batch = [f"{sys.argv[3]}/batch_{i}.jpg" for i in range(32)]
t = time.perf_counter()
for p in batch:
    ref.preprocess(config, [p])
print(f"Pillow 9.4 + numpy, 32 x 2 MP images one after another: {(time.perf_counter() - t) * 1000:.0f} ms")
PY
start=$(date +%s.%N)
"$build/modelexport" preprocess "$clip" "$work"/batch_*.jpg --npy "$work/batch_out" > /dev/null
end=$(date +%s.%N)
echo "modelexport preprocess, 32 x 2 MP images in one call: $(echo "($end - $start) * 1000" | bc) ms"
