#!/usr/bin/env bash
# Image preprocessing speed and memory: a 12-megapixel JPEG decoded and processed to CLIP's 224x224
# (resize shortest edge 224 bicubic, center crop, rescale, normalize) by `modelexport preprocess`
# and by Pillow 9.4 + numpy doing the same steps (scripts/golden/image_preprocess.py's functions).
#   bench/images.sh [BUILD_DIR]        (default build/; builds bench_image there)
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
echo "12 MP JPEG (4000x3000) → CLIP 224x224, $(nproc) cores, $(date -u +%F), load: $(cut -d' ' -f1-3 /proc/loadavg)"
# Ours (in one warm process: bench_image, on one thread and with the JPEG decoded in bands on every
# core; and the CLI with its process start) and Pillow + numpy (in one warm process, one thread),
# alternated round by round so load changes hit all alike; medians.
"$root/bench/build.sh" bench_image > /dev/null
cat > "$work/pillow.py" <<'PILLOW'
import json, sys, time
sys.path.insert(0, f"{sys.argv[1]}/scripts/golden")
import image_preprocess as ref
config = json.load(open(f"{sys.argv[2]}/preprocessor_config.json"))
ref.preprocess(config, [sys.argv[3]])
times = []
for _ in range(3):
    t = time.perf_counter()
    ref.preprocess(config, [sys.argv[3]])
    times.append((time.perf_counter() - t) * 1000)
print(sorted(times)[1])
PILLOW
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
rounds=5
: > "$work/ours"
: > "$work/ours_threads"
: > "$work/cli"
: > "$work/pillow"
for _ in $(seq $rounds); do
  "$build/bench/bench_image" "$clip/preprocessor_config.json" "$work/12mp.jpg" 3 |
    /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["fused_ms"], j["fused_threads_ms"])' > "$work/one"
  cut -d' ' -f1 "$work/one" >> "$work/ours"
  cut -d' ' -f2 "$work/one" >> "$work/ours_threads"
  start=$(date +%s%N)
  "$build/modelexport" preprocess "$clip" "$work/12mp.jpg" --npy "$work/out" > /dev/null
  echo "$((($(date +%s%N) - start) / 1000000))" >> "$work/cli"
  /usr/bin/python3 "$work/pillow.py" "$root" "$clip" "$work/12mp.jpg" >> "$work/pillow"
done
ours=$(median < "$work/ours")
ours_threads=$(median < "$work/ours_threads")
cli=$(median < "$work/cli")
pil=$(median < "$work/pillow")
echo "decode + preprocess in one warm process (bench_image: decode_and_resize + preprocess), one thread, median: $ours ms"
echo "the same with the JPEG decoded in bands on $(nproc) threads (what modelexport preprocess runs), median: $ours_threads ms"
echo "modelexport preprocess (process start, config read, .npy write included), median: $cli ms"
echo "Pillow 9.4 + numpy, the same steps in one warm process, median: $pil ms"
echo "Pillow / ours: in process $(echo "scale=2; $pil / $ours" | bc)x on one thread, $(echo "scale=2; $pil / $ours_threads" | bc)x in bands, CLI $(echo "scale=2; $pil / $cli" | bc)x"
echo "breakdown (bench_image): $("$build/bench/bench_image" "$clip/preprocessor_config.json" "$work/12mp.jpg" 3)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "modelexport peak RSS: %M KB (decoded image: $((4000 * 3000 * 3 / 1024)) KB)" \
  "$build/modelexport" preprocess "$clip" "$work/12mp.jpg" --npy "$work/out"
/usr/bin/time -f "modelexport peak RSS on a 224x224 image (the CLI and ONNX Runtime loaded): %M KB" \
  "$build/modelexport" preprocess "$clip" "$corpus/media/images/cat_224x224.jpg" --npy "$work/out_small"
/usr/bin/python3 - "$root" "$clip" "$work" <<'PILLOW'
import json, sys, time
sys.path.insert(0, f"{sys.argv[1]}/scripts/golden")
import image_preprocess as ref
config = json.load(open(f"{sys.argv[2]}/preprocessor_config.json"))
batch = [f"{sys.argv[3]}/batch_{i}.jpg" for i in range(32)]
t = time.perf_counter()
for p in batch:
    ref.preprocess(config, [p])
print(f"Pillow 9.4 + numpy, 32 x 2 MP images one after another: {(time.perf_counter() - t) * 1000:.0f} ms")
PILLOW
start=$(date +%s.%N)
"$build/modelexport" preprocess "$clip" "$work"/batch_*.jpg --npy "$work/batch_out" > /dev/null
end=$(date +%s.%N)
echo "modelexport preprocess, 32 x 2 MP images in one call: $(echo "($end - $start) * 1000" | bc) ms"
