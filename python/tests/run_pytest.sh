#!/usr/bin/env bash
# CTest: python_tests. pytest (Debian's python3-pytest) on the build tree's package
# (BUILD/python/modelexport), run by the venv scripts/setup.sh made (.venv: Debian's Python with its
# numpy and pytest visible) when there is one, else by the interpreter the module was built for.
set -euo pipefail
python="$1" build="$2" tests="$3"
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ -x "$root/.venv/bin/python" ]] && python="$root/.venv/bin/python"
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}" MODELEXPORT_BUILD="$build" MODELEXPORT_SOURCE="$root"
cd "$build"
exec "$python" -m pytest -q -p no:cacheprovider "$tests"
