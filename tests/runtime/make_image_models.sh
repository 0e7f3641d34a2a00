#!/usr/bin/env bash
# CTest fixture: the generated image models (scripts/fixtures/make_image_models.py, random weights,
# the corpus's real CLIP config/tokenizer/preprocessor), each embedded into a self-contained
# OUT/NAME.onnx (a two-file set: OUT/NAME/{text,vision}_model.onnx) and unpacked to the
# transformers.js layout in OUT/tjs/NAME. Without the corpus it writes nothing and the tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models/clip-vit-large-patch14 "image models"
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_image_models.py" "$out.tmp/src" "$corpus"
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  if [[ -f "$dir/model.onnx" ]]; then
    embed_and_unpack "$dir" "$name"
  else
    mkdir -p "$out.tmp/$name"
    for part in text_model vision_model; do
      "$cli" embed-metadata "$dir/$part.onnx" "$dir" -o "$out.tmp/$name/$part.onnx" -q
    done
  fi
done
mv "$out.tmp" "$out"
