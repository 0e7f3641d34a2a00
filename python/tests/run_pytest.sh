#!/usr/bin/env bash
# CTests python_*: pytest (Debian's python3-pytest) on the build tree's package
# (BUILD/python/modelexport), run by the venv scripts/setup.sh made (.venv: Debian's Python with its
# numpy and pytest visible) when there is one, else by the interpreter the module was built for.
# Usage: run_pytest.sh PYTHON BUILD TESTS_DIR [FILE...] (the files in TESTS_DIR to run; default all).
set -euo pipefail
python="$1" build="$2" tests="$3"
shift 3
files=()
for f in "$@"; do files+=("$tests/$f"); done
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ -x "$root/.venv/bin/python" ]] && python="$root/.venv/bin/python"
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}" MODELEXPORT_BUILD="$build" MODELEXPORT_SOURCE="$root"
cd "$build"
exec "$python" -m pytest -q -p no:cacheprovider "${files[@]:-$tests}"
