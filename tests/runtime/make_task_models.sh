#!/usr/bin/env bash
# CTest fixture: the generated task models (scripts/fixtures/make_task_models.py, random weights, real
# corpus tokenizers and configs), each embedded into a self-contained OUT/TASK.onnx and unpacked to
# the transformers.js layout in OUT/tjs/TASK. Without the corpus it writes nothing and the parity
# tests skip.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="$1"
out="$2"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -rf "$out"
if [[ ! -d "$corpus/models" ]]; then
  echo "task models: corpus missing; pipeline parity tests will skip"
  exit 0
fi
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_task_models.py" "$out.tmp/src" "$corpus" --static-length 128
# A small decoder-shaped LM (causal attention, LM head over 30522 tokens) for quantization accuracy.
/usr/bin/python3 "$root/bench/make_bert_model.py" "$out.tmp/src/decoder-lm" "$corpus" --head lm --layers 2 --hidden 128 \
  --heads 4 --intermediate 512 > /dev/null
for dir in "$out.tmp"/src/*/; do
  task=$(basename "$dir")
  "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$task.onnx" -q
  "$cli" unpack "$out.tmp/$task.onnx" "$out.tmp/tjs/$task" --layout transformers.js > /dev/null
done
mv "$out.tmp" "$out"
