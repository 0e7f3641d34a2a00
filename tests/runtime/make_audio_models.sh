#!/usr/bin/env bash
# CTest fixture: the generated audio models (scripts/fixtures/make_audio_models.py, random weights),
# each embedded into a self-contained OUT/NAME.onnx and unpacked to the transformers.js layout in
# OUT/tjs/NAME.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="$1"
out="$2"
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_audio_models.py" "$out.tmp/src"
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$name.onnx" -q
  "$cli" unpack "$out.tmp/$name.onnx" "$out.tmp/tjs/$name" --layout transformers.js > /dev/null
done
mv "$out.tmp" "$out"
