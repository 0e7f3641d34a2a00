#!/usr/bin/env bash
# Audio benchmark: Whisper / AST feature extraction vs the numpy reference
# (scripts/golden/audio_features.py) and transformers.js 4.3.1 on the same 30 s of samples; decode of
# the corpus's 120 s FLAC; peak memory of streaming decode vs file length (a generated 1 h FLAC).
#   bench/audio.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_audio > /dev/null
runs="${1:-5}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
long="$corpus/media/audio/tedlium_long_120s.flac"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -i "$long" -t 30 -ac 1 -ar 16000 -f f32le "$tmp/30s.f32"
cp "$corpus/models/whisper-tiny.en/preprocessor_config.json" "$tmp/whisper.json"
echo '{"feature_extractor_type": "ASTFeatureExtractor"}' > "$tmp/ast.json"
for fe in whisper ast; do
  ours=$(build/bench/bench_audio features "$tmp/$fe.json" "$tmp/30s.f32" "$runs")
  best_np=1e9
  best_np_cpu=1e9
  for _ in $(seq "$runs"); do
    np=$(/usr/bin/python3 scripts/golden/audio_features.py "$tmp/$fe.json" "$tmp/30s.f32" "$tmp/np.f32")
    best_np=$(/usr/bin/python3 -c "import json,sys; print(min(float(sys.argv[1]), json.loads(sys.argv[2])['seconds']))" "$best_np" "$np")
    best_np_cpu=$(/usr/bin/python3 -c "import json,sys; print(min(float(sys.argv[1]), json.loads(sys.argv[2])['cpu_seconds']))" "$best_np_cpu" "$np")
  done
  js=$(node scripts/golden/audio_features.mjs "$tmp/$fe.json" "$tmp/30s.f32" "$tmp/js.f32")
  /usr/bin/python3 - "$fe" "$ours" "$best_np" "$js" "$best_np_cpu" <<'PY'
import json, sys
name, o, n, j, nc = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4]), float(sys.argv[5])
print(f"{name} features, 30 s: ours {o['seconds']*1000:.1f} ms wall / {o['cpu_seconds']*1000:.1f} ms CPU, numpy reference "
      f"{n*1000:.1f} ms wall / {nc*1000:.1f} ms CPU = {n/o['seconds']:.1f}x wall, {nc/max(o['cpu_seconds'],1e-6):.1f}x CPU, "
      f"transformers.js {j['seconds']*1000:.1f} ms (first call) = {j['seconds']/o['seconds']:.1f}x")
PY
done
echo "decode 120 s FLAC (whole file): $(build/bench/bench_audio decode "$long")"
echo "stream 120 s FLAC: $(build/bench/bench_audio stream "$long")"
ffmpeg -nostdin -v error -f lavfi -i "sine=f=440:r=16000:d=3600" -c:a flac "$tmp/1h.flac"
echo "stream 1 h FLAC: $(build/bench/bench_audio stream "$tmp/1h.flac")"
echo "decode 1 h FLAC (whole file): $(build/bench/bench_audio decode "$tmp/1h.flac")"
