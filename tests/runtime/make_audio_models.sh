#!/usr/bin/env bash
# CTest fixture: the generated audio models (scripts/fixtures/make_audio_models.py, random weights),
# each embedded into a self-contained OUT/NAME.onnx and unpacked to the transformers.js layout in
# OUT/tjs/NAME.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_audio_models.py" "$out.tmp/src"
for dir in "$out.tmp"/src/*/; do
  embed_and_unpack "$dir" "$(basename "$dir")"
done
mv "$out.tmp" "$out"
