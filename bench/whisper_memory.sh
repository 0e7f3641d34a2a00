#!/usr/bin/env bash
# Peak memory of Whisper's streamed input against the file's length (issue 14: "a 10-hour file
# (streams)", "peak memory independent of the file's length"): the corpus's 120 s recording, and a
# 20-minute and a 10-hour file generated here with the ffmpeg CLI (a tone, Opus at 8 kbps: 1.2 MB and
# 36 MB; never checked in), through the generated random-weight whisper-en (fixture whisper_models),
# long-form and chunked (30 s), by tests/whisper_stream_run (the pipeline over processors::AudioReader)
# with each window's generation cut to one token, so the time is decoding + features + the encoder.
# Peak RSS and wall time from /usr/bin/time; the load average is printed.
#   bench/whisper_memory.sh WHISPER_MODELS [BUILD_DIR]      (10-hour file: ~5 min of CPU per mode)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
models=$(cd "${1:?the whisper_models fixture folder (build/tests/whisper_models)}" && pwd)
build="${2:-$root/build}"
run="$build/tests/whisper_stream_run"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name_seconds in m20:1200 h10:36000; do
  ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=300:r=16000:d=${name_seconds#*:}" -af "volume=0.3" \
    -c:a libopus -b:a 8k "$tmp/${name_seconds%%:*}.opus"
done
echo "load before: $(uptime)"
for file in "$corpus/media/audio/tedlium_long_120s.flac" "$tmp/m20.opus" "$tmp/h10.opus"; do
  for mode in long-form chunked; do
    args=(--return-timestamps)  # long-form needs it (the model's generation_config says false)
    [[ $mode == chunked ]] && args=(--chunk-length-s 30)
    # --max-audio-seconds: past the default 1-hour cap for the 10-hour file.
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$run" "$models/whisper-en" "$file" "${args[@]}" --max-new-tokens 1 \
      --max-audio-seconds 40000 > /dev/null
    read -r wall kb < "$tmp/time"
    printf '%-28s %-9s %8s MB file  peak RSS %4d MB  wall %7.1f s\n' "$(basename "$file")" "$mode" \
      "$(du -m "$file" | cut -f1)" $((kb / 1024)) "$wall"
  done
done
echo "load after: $(uptime)"
