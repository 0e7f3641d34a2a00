#!/usr/bin/env bash
# Whisper speech recognition end to end on the corpus's 120 s recording with the same generated
# model (fixture whisper_models, random weights, sizes scaled down): ours (`modelexport run`, file
# decoding included) against transformers.js 4.3.1 (its automatic-speech-recognition pipeline in
# Node, given the samples ffmpeg decoded, model loading included), chunked (30 s chunks, 5 s strides);
# ours also long-form (no chunking). Runs alternate; wall-time medians and peak RSS
# (/usr/bin/time -f %M) are printed with the load average.
#   bench/whisper.sh WHISPER_MODELS [RUNS] [MODEL]      (MODEL: whisper-en (default) or whisper-multi)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
models=$(cd "${1:?the whisper_models fixture folder (build/tests/whisper_models)}" && pwd)
runs="${2:-3}"
model="${3:-whisper-en}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
long="$corpus/media/audio/tedlium_long_120s.flac"
cli="${MODELEXPORT_CLI:-$root/build/modelexport}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -i "$long" -ac 1 -ar 16000 -f f32le "$tmp/long.f32"
echo '{"samples":"'"$tmp"'/long.f32","options":{"chunk_length_s":30,"stride_length_s":5}}' > "$tmp/cases.jsonl"
measure() {  # prints "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > "$tmp/out" 2> /dev/null
  cat "$tmp/time"
}
: > "$tmp/ours"; : > "$tmp/tjs"; : > "$tmp/long"
echo "load before: $(uptime)"
for _ in $(seq "$runs"); do
  measure "$cli" run "$models/$model" "$long" --chunk-length-s 30 --stride-length-s 5 --json >> "$tmp/ours"
  measure node "$root/scripts/golden/whisper.mjs" "$models/tjs/$model" "$tmp/cases.jsonl" >> "$tmp/tjs"
  measure "$cli" run "$models/$model" "$long" --return-timestamps --json >> "$tmp/long"
done
echo "load after: $(uptime)"
/usr/bin/python3 - "$tmp/ours" "$tmp/tjs" "$tmp/long" <<'PY'
import statistics, sys
def read(p):
    rows = [tuple(map(float, l.split())) for l in open(p) if l.strip()]
    return statistics.median(r[0] for r in rows), max(r[1] for r in rows) / 1024, [r[0] for r in rows]
o, t, l = read(sys.argv[1]), read(sys.argv[2]), read(sys.argv[3])
print(f"ours chunked:      median {o[0]:.2f} s  peak RSS {o[1]:.0f} MB  runs {o[2]}")
print(f"transformers.js:   median {t[0]:.2f} s  peak RSS {t[1]:.0f} MB  runs {t[2]}")
print(f"ours long-form:    median {l[0]:.2f} s  peak RSS {l[1]:.0f} MB  runs {l[2]}")
print(f"ratio (transformers.js / ours, chunked): {t[0] / o[0]:.2f}x")
PY
