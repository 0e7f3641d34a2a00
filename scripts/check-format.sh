#!/usr/bin/env bash
# Checks the C++ lines changed since this branch left BASE against .clang-format (git clang-format:
# only changed lines are looked at, so code nobody touched never fails). Prints the fix as a diff.
#   scripts/check-format.sh [BASE]     BASE: a commit or branch; default $FORMAT_BASE, else main, else origin/main
# To apply the fix: git clang-format $(git merge-base HEAD main)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-${FORMAT_BASE:-}}
if [[ -z "$base" ]]; then
  for ref in main origin/main; do
    if git rev-parse -q --verify "$ref^{commit}" > /dev/null; then base=$ref; break; fi
  done
  # On main itself (CI's clone) the merge base is HEAD and nothing would be checked: check every line
  # changed since the style was adopted (the commit that added .clang-format) instead.
  if [[ -n "$base" && "$(git merge-base HEAD "$base")" == "$(git rev-parse HEAD)" ]]; then
    adopted=$(git log --diff-filter=A --format=%H -1 -- .clang-format)
    [[ -n "$adopted" ]] && base=$adopted
  fi
fi
if [[ -z "$base" ]]; then
  echo "check-format: no main or origin/main to compare with (set FORMAT_BASE): nothing checked"
  exit 0
fi
since=$(git merge-base HEAD "$base")
diff=$(git clang-format --binary clang-format --diff --extensions c,cc,cpp,h,hpp "$since" --)
if [[ "$diff" == diff* ]]; then
  printf '%s\n' "$diff"
  echo "check-format: the lines above, changed since $(git rev-parse --short "$since") ($base), are not formatted as .clang-format says;" \
    "fix with: git clang-format $(git rev-parse --short "$since")" >&2
  exit 1
fi
echo "check-format: lines changed since $(git rev-parse --short "$since") ($base) are formatted"
