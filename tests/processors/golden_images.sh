#!/usr/bin/env bash
# CTest fixture: writes Pillow 9.4's decoded/resized images and the PIL-backend pixel_values of every
# image processor (scripts/golden/image_preprocess.py) into $1. Without Debian's Python + Pillow it
# writes nothing and the image parity tests skip.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$1"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -rf "$out"
if ! /usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null; then
  echo "golden images: /usr/bin/python3 with Pillow and numpy missing; image parity tests will skip"
  exit 0
fi
/usr/bin/python3 "$root/scripts/golden/image_preprocess.py" "$corpus" "$out"
