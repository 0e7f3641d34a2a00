#!/usr/bin/env bash
# CTest fixture: the generated image models (scripts/fixtures/make_image_models.py, random weights,
# the corpus's real CLIP config/tokenizer/preprocessor), each embedded into a self-contained
# OUT/NAME.onnx (a two-file set: OUT/NAME/{text,vision}_model.onnx) and unpacked to the
# transformers.js layout in OUT/tjs/NAME. Without the corpus it writes nothing and the tests skip.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="$1"
out="$2"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -rf "$out" "$out.tmp"
if [[ ! -d "$corpus/models/clip-vit-large-patch14" ]]; then
  echo "image models: corpus missing; image pipeline tests will skip"
  exit 0
fi
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_image_models.py" "$out.tmp/src" "$corpus"
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  if [[ -f "$dir/model.onnx" ]]; then
    "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$name.onnx" -q
    "$cli" unpack "$out.tmp/$name.onnx" "$out.tmp/tjs/$name" --layout transformers.js > /dev/null
  else
    mkdir -p "$out.tmp/$name"
    for part in text_model vision_model; do
      "$cli" embed-metadata "$dir/$part.onnx" "$dir" -o "$out.tmp/$name/$part.onnx" -q
    done
  fi
done
mv "$out.tmp" "$out"
