#!/usr/bin/env bash
# The Python binding's cost (results in docs/benchmarks.md):
#  1. overhead: median ms per pipeline call at batch 1 on the text-classification fixture (and the
#     generated token-classification model, a 4 MB BERT), the C++
#     pipeline (bench_pipeline texts) vs the same call through modelexport.inference, runs alternated;
#  2. tokenizing 1,000 texts in one call through ONNXAutoProcessor (padded int64 numpy tensors) vs
#     Hugging Face tokenizers' encodeBatch (npm, pinned: the Rust core Python's tokenizers wraps), both on
#     every core, on the fixture's tokenizer and the corpus's all-MiniLM-L6-v2 one.
#   bench/python.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_pipeline modelexport_python modelexport_cli
rounds="${1:-3}"
py=/usr/bin/python3
export PYTHONPATH="$root/build/python"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fixture=tests/fixtures/tiny-text-classifier
build/modelexport embed-metadata $fixture/model.onnx $fixture -o "$out/tiny.onnx" -q
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
head -n 1000 "$corpus/text/multilingual.jsonl" > "$out/texts.jsonl"
head -n 200 "$out/texts.jsonl" > "$out/texts200.jsonl"

for onnx in "$out/tiny.onnx" build/tests/task_models/token-classification.onnx; do
[[ -f "$onnx" ]] || { echo "$onnx missing (ctest -R task_models makes it): skipped"; continue; }
echo "== binding overhead, batch 1, $(basename "$onnx"), 200 texts x 5 iterations, $rounds rounds"
for r in $(seq "$rounds"); do
  cpp=$(build/bench/bench_pipeline texts "$onnx" "$out/texts200.jsonl" 1 5 | $py -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')
  pyms=$($py - "$onnx" "$out/texts200.jsonl" <<'PY'
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
)
  echo "round $r: C++ $cpp ms, Python $pyms ms per call: overhead $($py -c "print(f'{($pyms / $cpp - 1) * 100:.1f}%')")"
done
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
