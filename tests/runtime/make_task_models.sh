#!/usr/bin/env bash
# CTest fixture: the generated task models (scripts/fixtures/make_task_models.py, random weights, real
# corpus tokenizers and configs), each embedded into a self-contained OUT/TASK.onnx and unpacked to
# the transformers.js layout in OUT/tjs/TASK. Without the corpus it writes nothing and the parity
# tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models "task models"
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_task_models.py" "$out.tmp/src" "$corpus" --static-length 128
# A small decoder-shaped LM (causal attention, LM head over 30522 tokens) for quantization accuracy.
/usr/bin/python3 "$root/bench/make_bert_model.py" "$out.tmp/src/decoder-lm" "$corpus" --head lm --layers 2 --hidden 128 \
  --heads 4 --intermediate 512 > /dev/null
for dir in "$out.tmp"/src/*/; do
  embed_and_unpack "$dir" "$(basename "$dir")"
done
mv "$out.tmp" "$out"
