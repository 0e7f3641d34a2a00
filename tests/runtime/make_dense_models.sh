#!/usr/bin/env bash
# CTest fixture: the generated object-detection and segmentation models
# (scripts/fixtures/make_dense_models.py, random weights, our own small configs), each embedded into a
# self-contained OUT/NAME.onnx (rmbg: --task background-removal, as its config names no architecture).
# Without the corpus it writes nothing and the tests skip.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="$1"
out="$2"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -rf "$out" "$out.tmp"
if [[ ! -d "$corpus/models/RMBG-1.4" ]]; then
  echo "dense models: corpus missing; dense image pipeline tests will skip"
  exit 0
fi
mkdir -p "$out.tmp"
/usr/bin/python3 "$root/scripts/fixtures/make_dense_models.py" "$out.tmp/src" "$corpus"
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  task=()
  [[ $name == rmbg ]] && task=(--task background-removal)
  "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$name.onnx" -q "${task[@]}"
done
mv "$out.tmp" "$out"
