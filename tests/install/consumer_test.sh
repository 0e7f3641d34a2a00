#!/usr/bin/env bash
# CTest test install_consumer: installs this build into a fresh prefix and uses it as another
# project would. Checks, each able to fail:
#   - the installed CLI starts from the prefix (its RUNPATH finds libonnxruntime.so.1);
#   - modelexport/modelexport.h includes every public header that is installed;
#   - examples/consumer configures with find_package(modelexport COMPONENTS runtime) and builds;
#   - its tokenizer-only program links neither protobuf, ONNX nor ONNX Runtime (link line, NEEDED);
#   - it tokenizes a string as Hugging Face tokenizers (npm, pinned) does;
#   - it runs the bundled fixture classifier as the installed CLI's `run` does.
#   tests/install/consumer_test.sh BUILD_DIR WORK_DIR [CXX_COMPILER_LAUNCHER]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 work=$2 launcher=${3:-}
prefix="$work/prefix"
fixture="$root/tests/fixtures/tiny-text-classifier"
fail() { echo "install_consumer: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
"$prefix/bin/modelexport" --version || fail "the installed CLI does not start (RUNPATH: $(readelf -d "$prefix/bin/modelexport" | grep -E 'RUNPATH|RPATH'))"

umbrella="$prefix/include/modelexport/modelexport.h"
missing=$(cd "$prefix/include" && find modelexport -name '*.h' ! -name modelexport.h | sort | while read -r h; do
  grep -q "#include \"$h\"" "$umbrella" || echo "$h"; done)
[[ -z "$missing" ]] || fail "modelexport.h does not include: $missing"

cmake -S "$root/examples/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} > "$work/configure.log" \
  || { cat "$work/configure.log"; fail "find_package(modelexport) against $prefix failed"; }
cmake --build "$work/consumer" || fail "examples/consumer does not build against $prefix"

link_line=$(ninja -C "$work/consumer" -t commands tokenize | tail -1)
if grep -Eo '[^ /]*(protobuf|onnx)[^ /]*[.](so|a)[^ ]*' <<<"$link_line"; then fail "the tokenizer links the above: $link_line"; fi
if readelf -d "$work/consumer/tokenize" | grep NEEDED | grep -Ei 'protobuf|onnx'; then
  fail "the tokenizer needs the above libraries"
fi

text="Hello, world! Tokenizers are fun."
ours=$("$work/consumer/tokenize" "$fixture/tokenizer.json" "$text")
if [[ -d "$root/node_modules/tokenizers" ]]; then
  reference=$(cd "$root" && node --input-type=module -e '
    import { Tokenizer } from "tokenizers";
    const enc = await Tokenizer.fromFile(process.argv[1]).encode(process.argv[2]);
    console.log(enc.getIds().join(" "));' "$fixture/tokenizer.json" "$text")
  [[ "$ours" == "$reference" ]] || fail "tokenize: ours '$ours', Hugging Face tokenizers '$reference'"
  echo "tokenize: $ours (identical to Hugging Face tokenizers)"
else
  echo "tokenize: $ours (node_modules missing: not compared)"
fi

"$prefix/bin/modelexport" embed-metadata "$fixture/model.onnx" "$fixture" -o "$work/classifier.onnx" -q
ours=$("$work/consumer/classify" "$work/classifier.onnx" "I love this movie" | cut -f2)
cli=$("$prefix/bin/modelexport" run "$work/classifier.onnx" "I love this movie" --top-k 2 --json)
[[ -n "$ours" && "$ours" == "$cli" ]] || fail "classify: consumer '$ours', CLI '$cli'"
echo "classify: $ours (identical to the installed CLI's run)"
