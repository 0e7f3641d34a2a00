#!/usr/bin/env bash
# CTest fixture: the generated decoder-only LMs (scripts/fixtures/make_decoder_models.py: llama-like
# with grouped-query attention, gpt2-like without position_ids; random weights, real corpus
# tokenizers), each embedded into a self-contained OUT/NAME.onnx, quantized to OUT/NAME-q4.onnx, every
# file unpacked to the transformers.js layout in OUT/tjs/NAME, and transformers.js 4.3.1's greedy
# token ids for tests/generation/greedy_cases.jsonl written to OUT/golden/NAME.jsonl. The same weights
# in Optimum's two-file layout go to OUT/NAME-split/{decoder_model,decoder_with_past_model}.onnx, each
# file self-contained (transformers.js 4.3.1 does not load that layout: the tests hold it to NAME's
# golden ids). Without the corpus it writes nothing and the generation tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models "decoder models"
mkdir -p "$out.tmp/tjs" "$out.tmp/golden"
/usr/bin/python3 "$root/scripts/fixtures/make_decoder_models.py" "$out.tmp/src" "$corpus" 2> "$out.tmp/export.log" ||
  { cat "$out.tmp/export.log"; exit 1; }
for name in llama gpt2; do
  "$cli" embed-metadata "$out.tmp/src/$name/model.onnx" "$out.tmp/src/$name" -o "$out.tmp/$name.onnx" -q
  "$cli" quantize "$out.tmp/$name.onnx" -o "$out.tmp/$name-q4.onnx" -q
  "$cli" embed-metadata "$out.tmp/src/$name-split" "$out.tmp/src/$name" -o "$out.tmp/$name-split" -q
  for file in $name $name-q4; do
    "$cli" unpack "$out.tmp/$file.onnx" "$out.tmp/tjs/$file" --layout transformers.js > /dev/null
    node "$root/scripts/golden/generate.mjs" "$out.tmp/tjs/$file" "$root/tests/generation/greedy_cases.jsonl" \
      > "$out.tmp/golden/$file.jsonl"
  done
done
rm -rf "$out.tmp/src"
mv "$out.tmp" "$out"
