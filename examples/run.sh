#!/usr/bin/env bash
# The README's examples, end to end (also a CTest test): make a self-contained model from the
# committed fixture folder, inspect it, run it from the CLI and from the two example programs.
#   examples/run.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${1:-$root/build}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set -x
"$build/modelexport" embed-metadata "$root/tests/fixtures/tiny-text-classifier/model.onnx" \
  "$root/tests/fixtures/tiny-text-classifier" -o "$out/classifier.onnx"
"$build/modelexport" analyze "$out/classifier.onnx"
"$build/modelexport" run "$out/classifier.onnx" "I love this movie" "What a terrible day" --top-k 2
"$build/examples/classify" "$out/classifier.onnx" "I love this movie" "What a terrible day"
set +x
# An embedding model: the generated feature-extraction model (random weights, all-MiniLM-L6-v2's
# tokenizer and sentence-transformers files from the corpus).
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
if [[ ! -d "$corpus/models" ]]; then echo "no corpus at $corpus: similarity example skipped"; exit 0; fi
/usr/bin/python3 "$root/scripts/fixtures/make_task_models.py" "$out/src" "$corpus" --tasks feature-extraction > /dev/null
set -x
"$build/modelexport" embed-metadata "$out/src/feature-extraction/model.onnx" "$out/src/feature-extraction" -o "$out/embedder.onnx" -q
rm -rf "$out/src"  # the model file alone from here on
"$build/examples/similarity" "$out/embedder.onnx" "A cat sits on the mat" "A kitten rests on a rug" "Stock prices fell sharply"
"$build/modelexport" run "$out/embedder.onnx" "A cat sits on the mat" --json
# Image and text embeddings for search: the generated CLIP pair in transformers.js' two-file layout
# (random weights; the corpus's real clip-vit-large-patch14 config, tokenizer and preprocessor).
set +x
/usr/bin/python3 "$root/scripts/fixtures/make_image_models.py" "$out/images" "$corpus" > /dev/null
set -x
for part in text_model vision_model; do
  "$build/modelexport" embed-metadata "$out/images/clip-split/$part.onnx" "$out/images/clip-split" -o "$out/$part.onnx" -q
done
images="$corpus/media/images"
"$build/examples/image_search" "$out/text_model.onnx" "$out/vision_model.onnx" "a photo of a cat" "a school bus" \
  -- "$images/cats.jpg" "$images/bus.jpg" "$images/teapot.jpg"
"$build/modelexport" run "$out/vision_model.onnx" "$images/cats.jpg" --labels cat bus teapot --json
