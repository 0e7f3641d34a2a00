#!/usr/bin/env bash
# CTest fixture: writes the golden tokenizer outputs (scripts/golden/tokenize.mjs, pinned npm
# tokenizers) to $1. Without the corpus or node_modules it writes nothing and the suite skips.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$1"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -f "$out"
if [[ ! -d "$corpus/tokenizers" || ! -d "$root/node_modules/tokenizers" ]]; then
  echo "golden tokenizers: corpus or node_modules missing; conformance tests will skip"
  exit 0
fi
node "$root/scripts/golden/tokenize.mjs" "$corpus" "$out.tmp" "${GOLDEN_EVERY_NTH:-20}" "$root/tests/fixtures/tokenizers"
mv "$out.tmp" "$out"
