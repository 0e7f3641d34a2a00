#!/usr/bin/env bash
# image-classification end to end, ours and transformers.js 4.3.1 (npm, pinned), like for like: the
# same self-contained model file (ours reads it, transformers.js its `unpack --layout transformers.js`
# copy: the same ONNX graph and preprocessor_config.json), the same JPEG files, each side warm in one
# process — ours through the C++ pipeline API (build/bench/bench_image_pipeline), theirs in node
# (bench/transformers_js_image_bench.mjs) — ONNX Runtime on THREADS intra-op threads on both sides.
#   - batch: 32 JPEGs of 1600x1200 (2 MP, cut from a corpus photo) in one call, one batch
#   - 12mp:  one 12-megapixel JPEG (4000x3000)
# A round starts each side's process once (the order alternates round by round so load changes hit
# both alike): pipeline load (reported, not in the call times), one warm-up call, ITER timed calls.
# A timed call is the pipeline call on the list of paths: file read, decode, resize, rescale/normalize,
# model run, softmax + top 5. Reported: medians over all rounds' calls of wall time and of CPU time
# (every thread of the process), per call and per image, and their ratios.
#   bench/image_pipelines.sh [ROUNDS] [ITER] [THREADS] [MODEL]
#     defaults 5 3 2 vit-cls; MODEL is a folder of scripts/fixtures/make_image_models.py (vit-cls: a
#     patch convolution and a linear head, so the model run is a small part; clip-cls: the same graph
#     behind the corpus's CLIP preprocessor, shortest edge 224 bicubic + center crop) or vit-tiny (bench/
#     make_vit_model.py: a ViT-Tiny-sized encoder, 12 layers, hidden 192, random weights)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds="${1:-5}" iter="${2:-3}" threads="${3:-2}" model="${4:-vit-cls}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
bench/build.sh bench_image_pipeline modelexport_cli > /dev/null
cli="$root/build/modelexport"
bench_bin="$root/build/bench/bench_image_pipeline"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $model == vit-tiny ]]; then
  /usr/bin/python3 bench/make_vit_model.py "$work/src/$model" > /dev/null
else
  /usr/bin/python3 scripts/fixtures/make_image_models.py "$work/src" "$corpus" > /dev/null
fi
"$cli" embed-metadata "$work/src/$model/model.onnx" "$work/src/$model" -o "$work/$model.onnx" -q
mkdir -p "$work/tjs"
"$cli" unpack "$work/$model.onnx" "$work/tjs/$model" --layout transformers.js > /dev/null
/usr/bin/python3 - "$corpus/media/images/photo-1585521747230-516376e5a85d.jpg" "$work" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").resize((4000, 3000), Image.BICUBIC)
im.save(f"{sys.argv[2]}/12mp.jpg", quality=92)
for i in range(32):
    im.crop((i * 10, i * 7, i * 10 + 1600, i * 7 + 1200)).save(f"{sys.argv[2]}/batch_{i}.jpg", quality=90)
PY
echo "image-classification end to end, model $model, $threads threads, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $rounds rounds x $iter warm calls per side; ours: bench_image_pipeline (C++ pipeline API), theirs: transformers.js 4.3.1 in node $(node --version)"
for set in batch 12mp; do
  if [[ $set == batch ]]; then images=("$work"/batch_*.jpg); else images=("$work/12mp.jpg"); fi
  : > "$work/ours.jsonl"
  : > "$work/theirs.jsonl"
  : > "$work/ours1.jsonl"
  for r in $(seq "$rounds"); do
    ours() { "$bench_bin" "$work/$model.onnx" "$threads" "$iter" "${images[@]}" >> "$work/ours.jsonl"; }
    theirs() { node bench/transformers_js_image_bench.mjs "$work/tjs/$model" "$threads" "$iter" "${images[@]}" >> "$work/theirs.jsonl"; }
    # One image: also ours with its decode on one thread (no JPEG bands), to show what the bands give.
    ours1() { [[ $set == batch ]] || IMAGE_THREADS=1 "$bench_bin" "$work/$model.onnx" "$threads" "$iter" "${images[@]}" >> "$work/ours1.jsonl"; }
    if ((r % 2)); then ours; theirs; ours1; else ours1; theirs; ours; fi
  done
  /usr/bin/python3 - "$set" "${#images[@]}" "$work/ours.jsonl" "$work/theirs.jsonl" "$work/ours1.jsonl" <<'PY'
import json, statistics, sys
name, n = sys.argv[1], int(sys.argv[2])
sides = {}
for label, path in (("ours", sys.argv[3]), ("transformers.js", sys.argv[4]), ("ours, decode on one thread", sys.argv[5])):
    rows = [json.loads(l) for l in open(path)]
    if not rows:
        continue
    sides[label] = {k: [x for r in rows for x in r[k]] for k in ("times_ms", "cpu_ms")}
    sides[label]["load_ms"] = [r["load_ms"] for r in rows]
    sides[label]["first_call_ms"] = [r["first_call_ms"] for r in rows]
    sides[label]["top"] = rows[0]["top"]
    sides[label]["rss"] = statistics.median(r["peak_rss_mb"] for r in rows)
    sides[label]["stages"] = rows[0].get("stages")
med = statistics.median
o, t = sides["ours"], sides["transformers.js"]
print(f"{name} ({n} image{'s' if n > 1 else ''} per call):")
for k, what in (("times_ms", "wall"), ("cpu_ms", "CPU")):
    mo, mt = med(o[k]), med(t[k])
    print(f"  {what}: ours {mo:.0f} ms per call ({mo / n:.1f} per image), transformers.js {mt:.0f} ms ({mt / n:.1f} per image), "
          f"ratio {mt / mo:.2f}x")
    print(f"    ours {[round(x) for x in o[k]]}")
    print(f"    transformers.js {[round(x) for x in t[k]]}")
print(f"  load (pipeline creation, not in the times): ours {med(o['load_ms']):.0f} ms, transformers.js {med(t['load_ms']):.0f} ms; "
      f"first call: ours {med(o['first_call_ms']):.0f} ms, transformers.js {med(t['first_call_ms']):.0f} ms")
if "ours, decode on one thread" in sides:
    o1 = sides["ours, decode on one thread"]
    print(f"  ours with the decode on one thread (no JPEG bands): wall {med(o1['times_ms']):.0f} ms (ratio {med(t['times_ms']) / med(o1['times_ms']):.2f}x), "
          f"CPU {med(o1['cpu_ms']):.0f} ms (ratio {med(t['cpu_ms']) / med(o1['cpu_ms']):.2f}x); {[round(x) for x in o1['times_ms']]}")
print(f"  peak RSS of the process (median over rounds): ours {o['rss']:.0f} MB, transformers.js {t['rss']:.0f} MB")
print(f"  top-1 of the first image: ours {o['top']}, transformers.js {t['top']}")
if o["stages"]:
    s = o["stages"]
    total = s["decode_resize_ms"] + s["finish_ms"] + s["model_ms"]
    print(f"  ours by stage, one thread (CPU ms, median): decode+resize {s['decode_resize_ms']:.0f} ({100 * s['decode_resize_ms'] / total:.0f}%), "
          f"crop/rescale/normalize {s['finish_ms']:.1f}, model run {s['model_ms']:.0f} ({100 * s['model_ms'] / total:.0f}%; wall {s['model_wall_ms']:.0f})")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
