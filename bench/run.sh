#!/usr/bin/env bash
# Benchmarks of issue 2, each against its reference in the same run. Prints a summary; the numbers
# in docs/benchmarks.md come from this script.
#   bench/run.sh                     # models in $BENCH_DIR (default /tmp/modelexport-bench), ~6 GB of disk
# Needs: build/ (scripts/setup.sh), hyperfine, GNU time, Debian's python3-onnx (/usr/bin/python3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_make_models bench_metadata modelexport_cli
M=build/modelexport
dir="${BENCH_DIR:-/tmp/modelexport-bench}"
runs="${RUNS:-10}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
src="$corpus/models/gpt2"   # real config + 1.3 MB tokenizer.json + vocab.json + merges.txt
[[ -d "$src" ]] || src="$root/tests/fixtures/tiny-text-classifier"
mkdir -p "$dir"
sizes=(1M 100M 500M 1G 2500Ms)

echo "## machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "## source folder: $src"
for s in "${sizes[@]}"; do
  [[ -f "$dir/model_$s.onnx" ]] || build/bench/bench_make_models "$dir" "$s"
  [[ -f "$dir/model_$s.meta.onnx" ]] || $M embed-metadata "$dir/model_$s.onnx" "$src" -o "$dir/model_$s.meta.onnx" -q
done
ls -la "$dir"

echo; echo "## 1. library time: open + top-level scan; + read task/version; + decode every key; graph summary (median of $runs)"
for s in "${sizes[@]}"; do
  echo "### model_$s.meta.onnx"
  build/bench/bench_metadata --model="$dir/model_$s.meta.onnx" --benchmark_repetitions="$runs" \
    --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median|Benchmark" || true
done

echo; echo "## 2. process time: modelexport analyze (median, hyperfine)"
for s in "${sizes[@]}"; do
  hyperfine -N --warmup 3 --runs 20 --style basic --export-json "$dir/analyze_$s.json" \
    "$M analyze $dir/model_$s.meta.onnx" >/dev/null
  /usr/bin/python3 -c "import json,sys;r=json.load(open(sys.argv[1]))['results'][0];print(f'analyze model_{sys.argv[2]}: median {r[\"median\"]*1000:.2f} ms')" "$dir/analyze_$s.json" "$s"
done

echo; echo "## 3. reference: onnx.load(path, load_external_data=False) vs modelexport on model_500M.meta.onnx"
ref="$dir/model_500M.meta.onnx"
hyperfine -N --warmup 2 --runs "$runs" --style basic --export-json "$dir/ref.json" \
  "$M analyze $ref" "/usr/bin/python3 -c \"import onnx; onnx.load('$ref', load_external_data=False)\"" >/dev/null
/usr/bin/python3 - "$dir/ref.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, p = r[0]["median"], r[1]["median"]
print(f"process: modelexport analyze {a*1000:.2f} ms, python onnx.load {p*1000:.1f} ms, ratio {p/a:.0f}x")
PY
# In-process: the library scan vs onnx.load inside one Python process (interpreter start-up excluded).
lib_us=$(build/bench/bench_metadata --model="$ref" --benchmark_filter='BM_ReadMetadata$' --benchmark_repetitions="$runs" \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
  /usr/bin/python3 -c "import json,sys;b=[x for x in json.load(sys.stdin)['benchmarks'] if x.get('aggregate_name')=='median'][0];print(b['real_time'])")
/usr/bin/python3 - "$ref" "$lib_us" "$runs" <<'PY'
import statistics, sys, time, onnx
path, lib_us, runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
t = []
for _ in range(runs):
    s = time.perf_counter(); onnx.load(path, load_external_data=False); t.append(time.perf_counter() - s)
m = statistics.median(t)
print(f"in-process: modelexport read_metadata {lib_us:.1f} us, onnx.load {m*1000:.1f} ms, ratio {m*1e6/lib_us:.0f}x")
PY

echo; echo "## 4. embedding a 1 GB model vs cp of the same file (median, hyperfine, page cache warm)"
big="$dir/model_1G.onnx"
hyperfine -N --warmup 1 --runs "$runs" --style basic --export-json "$dir/embed.json" \
  --prepare "rm -f $dir/cp.onnx $dir/embed.onnx" \
  "cp $big $dir/cp.onnx" "$M embed-metadata $big $src -o $dir/embed.onnx -q" >/dev/null
/usr/bin/python3 - "$dir/embed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
c, e = r[0]["median"], r[1]["median"]
print(f"cp {c*1000:.0f} ms, embed-metadata {e*1000:.0f} ms, ratio {e/c:.2f}x")
PY

echo; echo "## 5. peak memory (max RSS, GNU time) of embed-metadata"
for s in 1M 1G 2500Ms; do
  rm -f "$dir/rss.onnx"
  /usr/bin/time -f "embed model_$s: max RSS %M KB, %e s" $M embed-metadata "$dir/model_$s.onnx" "$src" -o "$dir/rss.onnx" -q
done
rm -f "$dir/rss.onnx" "$dir/cp.onnx" "$dir/embed.onnx"
