#!/usr/bin/env bash
# Chat-template render time, ours vs Python jinja2 (as transformers configures it), on the
# conformance cases: every corpus/fixture template × every conversation, repeated. Needs a build
# (/work/wt/build.sh or cmake) with chat_template_conformance_test.
#   bench/chat_template.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${1:-$root/build}"
repeats="${2:-20}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
golden=$(mktemp --suffix=.json)
trap 'rm -f "$golden"' EXIT
CHAT_TEMPLATE_BENCH_REPEATS=$repeats /usr/bin/python3 "$root/scripts/golden/chat_templates.py" "$corpus" \
  "$root/tests/fixtures/chat_templates" "$golden"
CHAT_TEMPLATE_BENCH_REPEATS=$repeats GOLDEN_CHAT_TEMPLATES=$golden "$build/tests/chat_template_conformance_test" |
  grep "^chat templates:"
