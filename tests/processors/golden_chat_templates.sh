#!/usr/bin/env bash
# CTest fixture: writes the golden chat-template renderings (scripts/golden/chat_templates.py, Debian
# python3-jinja2 configured as transformers does) to $1. Without python3-jinja2 it writes nothing and
# the conformance test skips. The corpus is optional (the fixtures' templates are always there).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$1"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
rm -f "$out"
if ! /usr/bin/python3 -c "import jinja2" 2>/dev/null; then
  echo "golden chat templates: /usr/bin/python3 has no jinja2; conformance tests will skip"
  exit 0
fi
/usr/bin/python3 "$root/scripts/golden/chat_templates.py" "$corpus" "$root/tests/fixtures/chat_templates" "$out.tmp"
mv "$out.tmp" "$out"
