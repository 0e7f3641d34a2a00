#!/usr/bin/env bash
# CTest fixture: the generated object-detection and segmentation models
# (scripts/fixtures/make_dense_models.py, random weights, our own small configs), each embedded into a
# self-contained OUT/NAME.onnx (rmbg: --task background-removal, as its config names no architecture).
# Without the corpus it writes nothing and the tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models/RMBG-1.4 "dense models"
mkdir -p "$out.tmp"
/usr/bin/python3 "$root/scripts/fixtures/make_dense_models.py" "$out.tmp/src" "$corpus"
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  task=()
  [[ $name == rmbg ]] && task=(--task background-removal)
  "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$name.onnx" -q "${task[@]}"
done
mv "$out.tmp" "$out"
