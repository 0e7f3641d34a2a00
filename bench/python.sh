#!/usr/bin/env bash
# The Python binding's cost (results in docs/benchmarks.md):
#  1. overhead: median ms per pipeline call at batch 1 on the text-classification fixture (and the
#     generated token-classification model, a 4 MB BERT), the C++ pipeline (bench_pipeline texts) vs
#     the same call through modelexport.inference, in ROUNDS rounds that alternate which runs first;
#     per model: the median over rounds of each side's median and of the per-round overhead, in % and
#     in µs per call, with the load average (the machine is shared: compare within a round only);
#  2. tokenizing 1,000 texts in one call through ONNXAutoProcessor (padded int64 numpy tensors) vs
#     Hugging Face tokenizers' encodeBatch (npm, pinned: the Rust core Python's tokenizers wraps), both on
#     every core, on the fixture's tokenizer and the corpus's all-MiniLM-L6-v2 one.
#   bench/python.sh [ROUNDS]   (default 9)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_pipeline modelexport_python modelexport_cli
rounds="${1:-9}"
py=/usr/bin/python3
export PYTHONPATH="$root/build/python"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fixture=tests/fixtures/tiny-text-classifier
build/modelexport embed-metadata $fixture/model.onnx $fixture -o "$out/tiny.onnx" -q
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
head -n 1000 "$corpus/text/multilingual.jsonl" > "$out/texts.jsonl"
head -n 200 "$out/texts.jsonl" > "$out/texts200.jsonl"

cat > "$out/py_calls.py" <<'PY'
import json, sys, time
from modelexport.inference import pipeline
texts = [json.loads(l)["text"] for l in open(sys.argv[2]) if l.strip()]
classifier = pipeline(model=sys.argv[1])
times = []
for it in range(-1, 5):  # iteration -1 warms up, as bench_pipeline does
    for t in texts:
        start = time.perf_counter()
        classifier(t)
        if it >= 0:
            times.append((time.perf_counter() - start) * 1000)
times.sort()
print(times[len(times) // 2])
PY
cpp_ms() { build/bench/bench_pipeline texts "$1" "$out/texts200.jsonl" 1 5 | $py -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])'; }
py_ms() { $py "$out/py_calls.py" "$1" "$out/texts200.jsonl"; }

for onnx in "$out/tiny.onnx" build/tests/task_models/token-classification.onnx; do
[[ -f "$onnx" ]] || { echo "$onnx missing (ctest -R task_models makes it): skipped"; continue; }
echo "== binding overhead, batch 1, $(basename "$onnx"), 200 texts x 5 iterations, $rounds rounds ($(uptime | sed 's/.*load/load/'))"
pairs=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then cpp=$(cpp_ms "$onnx"); pyms=$(py_ms "$onnx"); else pyms=$(py_ms "$onnx"); cpp=$(cpp_ms "$onnx"); fi
  pairs+=("$cpp,$pyms")
  echo "round $r: C++ $cpp ms, Python $pyms ms per call: $($py -c "print(f'{($pyms / $cpp - 1) * 100:+.1f}%, {($pyms - $cpp) * 1000:+.1f} us')")"
done
$py - "${pairs[@]}" <<'PY'
import statistics, sys
pairs = [tuple(map(float, p.split(","))) for p in sys.argv[1:]]
cpp, py = statistics.median(c for c, _ in pairs), statistics.median(p for _, p in pairs)
pct = statistics.median((p / c - 1) * 100 for c, p in pairs)
us = statistics.median((p - c) * 1000 for c, p in pairs)
print(f"median of {len(pairs)} rounds: C++ {cpp:.4f} ms, Python {py:.4f} ms per call; overhead {pct:+.1f}% ({us:+.1f} us per call)")
PY
echo "load after: $(uptime | sed 's/.*load average: //')"
done

echo "== tokenizing 1,000 texts in one call (median of 5)"
for model in "$out/tiny.onnx:$fixture/tokenizer.json" "build/tests/task_models/feature-extraction.onnx:build/tests/task_models/tjs/feature-extraction/tokenizer.json"; do
  onnx=${model%%:*} tokjson=${model#*:}
  [[ -f "$onnx" ]] || { echo "$onnx missing (ctest -R task_models makes it): skipped"; continue; }
  ours=$($py - "$onnx" "$out/texts.jsonl" <<'PY'
import json, sys, time
from modelexport.inference import ONNXAutoProcessor
texts = [json.loads(l)["text"] for l in open(sys.argv[2]) if l.strip()]
tok = ONNXAutoProcessor.from_model(sys.argv[1])
secs = []
for r in range(6):
    start = time.perf_counter()
    enc = tok(texts)
    if r:
        secs.append(time.perf_counter() - start)
secs.sort()
print(secs[len(secs) // 2] * 1000)
PY
)
  hf=$(node bench/hf_tokenizer_bench.mjs "$tokjson" "$out/texts.jsonl" 5 | $py -c 'import json,sys; print(json.load(sys.stdin)["median_s"] * 1000)')
  echo "$(basename "$onnx"): modelexport (Python) $ours ms vs tokenizers (npm) $hf ms: $($py -c "print(f'{$hf / $ours:.2f}x')") faster"
done
