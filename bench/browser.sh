#!/usr/bin/env bash
# transformers.js 4.3.1's browser bundle in headless Chromium (WASM and WebGPU on SwiftShader) on the
# browser suite's rows: the suite itself (tests/browser/browser_test.mjs) with BROWSER_BENCH=1, which
# adds 5 calls per case for the median and makes text-generation generate 16 tokens (tokens/s from
# the median WASM call; WebGPU on SwiftShader times its first call only, at 0.1-0.5 tokens/s). Every
# result is still compared with ours. Prints a Markdown table (docs/benchmarks.md's) with the load
# average before and after; the JSON is BUILD/bench_browser/browser_timings.json.
#   bench/browser.sh [BUILD_DIR] [ROWS_REGEX]
# BUILD_DIR (default build) must hold the fixtures: ctest --test-dir build -R
# '^(task_models|decoder_models|audio_models|image_models)$'. ROWS_REGEX (e.g. text-generation)
# picks cases by "ROW DTYPE DEVICE", as BROWSER_TEST_ONLY does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
export BROWSER_BENCH=1
if [[ -n "${2:-}" ]]; then export BROWSER_TEST_ONLY="$2"; fi
t="$build/tests"
echo "load before: $(uptime)"
start=$(date +%s)
node "$root/tests/browser/browser_test.mjs" "$build/modelexport" "$t/task_models" "$build/bench_browser" \
  "$t/decoder_models" "$t/audio_models" "$t/image_models"
echo "load after: $(uptime); $(($(date +%s) - start)) s in all"
node -e '
const { timings } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const f = (x, d) => (x == null ? "" : x.toFixed(d));
console.log("| model | dtype | device | load ms | first call ms | median call ms | tokens/s | max \\|diff\\| vs ours |");
console.log("|---|---|---|---|---|---|---|---|");
for (const t of timings)
  console.log(`| ${t.model} | ${t.dtype} | ${t.device} | ${f(t.load_ms, 0)} | ${f(t.first_ms, 1)} | ${f(t.median_ms, 1)} | ` +
    `${t.tokens_per_s ? f(t.tokens_per_s, 1) + (t.tokens_per_s_from === "first call" ? " (first call)" : "") : ""} | ` +
    `${/generation|speech/.test(t.task) ? "exact" : t.max_abs_diff == null ? "" : t.max_abs_diff.toExponential(1)} |`);
' "$build/bench_browser/browser_timings.json"
