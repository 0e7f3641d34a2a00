# Sourced by the make_*_models.sh CTest fixtures (each called as SCRIPT CLI OUT): sets root, cli, out
# and corpus, and starts from an empty OUT (a fixture builds OUT.tmp and moves it into place last, so
# an interrupted run never leaves a half-made OUT for the tests).
#   source "$(dirname "$0")/fixture_common.sh"
#   fixture_needs_corpus models/RMBG-1.4 "dense models"   # exits 0, tests skip, without that folder
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cli="$1"
out="$2"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -rf "$out" "$out.tmp"

fixture_needs_corpus() {  # PATH_IN_CORPUS WHAT
  if [[ ! -d "$corpus/$1" ]]; then
    echo "$2: corpus missing ($corpus/$1); the tests that need them will skip"
    exit 0
  fi
}

embed_and_unpack() {  # SOURCE_DIR NAME [embed-metadata options]: OUT.tmp/NAME.onnx + OUT.tmp/tjs/NAME
  local dir=$1 name=$2
  shift 2
  "$cli" embed-metadata "$dir/model.onnx" "$dir" -o "$out.tmp/$name.onnx" -q "$@"
  "$cli" unpack "$out.tmp/$name.onnx" "$out.tmp/tjs/$name" --layout transformers.js > /dev/null
}
