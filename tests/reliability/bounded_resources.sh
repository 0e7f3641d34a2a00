#!/usr/bin/env bash
# One kind of hostile input (issue 17's bounded resources), run through the CLI under /usr/bin/time:
# the command must fail with exit 2, name the limit that stopped it, and stay under the stated peak
# RSS and wall time. The bounds have wide margins (CI's 2 cores are shared); the wall bound is only a
# hang guard. Inputs are generated here, into a scratch folder.
#   tests/reliability/bounded_resources.sh KIND MODELEXPORT_CLI [SCALE]
# SCALE multiplies both bounds (CTest passes 4 for the sanitizer builds, whose memory and time
# overheads are several times the plain build's).
# KINDs: json_depth, image_pixels, template_loop, template_output, onnx_field_length, audio_length.
set -euo pipefail
kind=$1 cli=$2 scale=${3:-1}
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# check MAX_RSS_MB MAX_WALL_S EXPECTED_MESSAGE COMMAND...: runs COMMAND under /usr/bin/time.
check() {
  local max_rss_mb=$(($1 * scale)) max_wall=$(($2 * scale)) expected=$3
  shift 3
  local rc=0
  /usr/bin/time -f '%M %e' -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err" || rc=$?
  read -r rss_kb wall < <(tail -1 "$dir/time")  # after "Command exited with non-zero status N"
  local rss_mb=$((rss_kb / 1024))
  echo "$kind: exit $rc, peak RSS $rss_mb MB (bound $max_rss_mb), wall $wall s (bound $max_wall)"
  echo "stderr: $(head -c 400 "$dir/err")"
  local ok=1
  ((rc == 2)) || { echo "FAIL: expected exit 2"; ok=0; }
  grep -qF -- "$expected" "$dir/err" || { echo "FAIL: stderr does not name the limit: $expected"; ok=0; }
  ((rss_mb <= max_rss_mb)) || { echo "FAIL: peak RSS over the bound"; ok=0; }
  awk -v w="$wall" -v m="$max_wall" 'BEGIN { exit !(w <= m) }' || { echo "FAIL: wall time over the bound"; ok=0; }
  [[ ! -s "$dir/out" ]] || { echo "FAIL: something was written to stdout"; ok=0; }
  ((ok))
}

case $kind in
  json_depth)  # 1,000,000 nested arrays (2 MB) as tokenizer.json: refused at depth 127, not by the stack.
    $py -c "import sys; sys.stdout.write('[' * 1000000 + ']' * 1000000)" >"$dir/tokenizer.json"
    check 200 30 "nested deeper than 127" "$cli" tokenize "$dir/tokenizer.json" --text hi ;;
  image_pixels)  # a 69-byte PNG whose header claims 100000 x 100000 pixels (10^10: Pillow's bomb).
    $py - "$dir/bomb.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
    mkdir "$dir/model"
    echo '{"model_type": "vit", "architectures": ["ViTForImageClassification"]}' >"$dir/model/config.json"
    echo '{"image_processor_type": "ViTImageProcessor", "size": {"height": 8, "width": 8}}' >"$dir/model/preprocessor_config.json"
    check 200 30 "max-image-pixels" "$cli" preprocess "$dir/model" "$dir/bomb.png" --json ;;
  template_loop)  # 10^10 iterations of nested loops: stopped at the loop limit.
    echo '{"chat_template": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"}' \
      >"$dir/tokenizer_config.json"
    echo '[{"role": "user", "content": "hi"}]' >"$dir/messages.json"
    check 200 60 "loop iterations" "$cli" chat-template "$dir/tokenizer_config.json" --messages "$dir/messages.json" ;;
  template_output)  # 10^5 x 10^5 bytes of output (10 GB): stopped at the output limit.
    echo '{"chat_template": "{% for i in range(100000) %}{{ \"x\" * 100000 }}{% endfor %}"}' >"$dir/tokenizer_config.json"
    echo '[{"role": "user", "content": "hi"}]' >"$dir/messages.json"
    check 300 60 "output exceeds the limit" "$cli" chat-template "$dir/tokenizer_config.json" --messages "$dir/messages.json" ;;
  onnx_field_length)  # a 14-byte ONNX file whose metadata_props field claims 2^40 bytes.
    $py - "$dir/model.onnx" <<'PY'
import sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
data = b"\x08\x08" + bytes([14 << 3 | 2]) + varint(1 << 40) + b"\x0a\x03key"
open(sys.argv[1], "wb").write(data)
PY
    check 200 30 "declares 1099511627776 bytes but only 5 remain" "$cli" analyze "$dir/model.onnx" ;;
  audio_length)  # 2 hours of 8 kHz silence in 1.3 MB of FLAC (115M samples at 16 kHz): a whole-file audio
    # task stops at --max-audio-seconds (default 3600 s). Declared in the header: refused before
    # decoding; piped FLAC declares no length: decoding stops at the limit (1 hour held: ~230 MB).
    mkdir "$dir/model"
    echo '{"model_type": "wav2vec2", "architectures": ["Wav2Vec2ForCTC"]}' >"$dir/model/config.json"
    echo '{"feature_extractor_type": "Wav2Vec2FeatureExtractor", "sampling_rate": 16000}' >"$dir/model/preprocessor_config.json"
    ffmpeg -nostdin -v error -y -f lavfi -i "anullsrc=r=8000:cl=mono" -t 7200 -c:a flac "$dir/declared.flac"
    ffmpeg -nostdin -v error -y -i "$dir/declared.flac" -c:a flac -f flac pipe: >"$dir/undeclared.flac"
    check 200 30 "the file declares 7200 s; not decoded" "$cli" preprocess "$dir/model" "$dir/declared.flac" --json
    check 800 90 "longer than the limit of 3600 s of audio (57600000 samples at 16000 Hz) (decoding stopped there)" \
      "$cli" preprocess "$dir/model" "$dir/undeclared.flac" --json ;;
  *) echo "unknown kind $kind" >&2; exit 2 ;;
esac
