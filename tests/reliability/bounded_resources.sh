#!/usr/bin/env bash
# One kind of hostile input (issue 17's bounded resources), run through the CLI under /usr/bin/time:
# the command must fail with exit 2, name the limit that stopped it, and stay under the stated peak
# RSS and wall time. The bounds have wide margins (CI's 2 cores are shared); the wall bound is only a
# hang guard. Inputs are generated here, into a scratch folder.
#   tests/reliability/bounded_resources.sh KIND MODELEXPORT_CLI [SCALE]
# SCALE multiplies both bounds (CTest passes 4 for the sanitizer builds, whose memory and time
# overheads are several times the plain build's).
# KINDs: json_depth, json_size, vocab_size, vocab_id, merges, gzip_inflation, image_pixels, template_loop,
# template_output, onnx_field_length, audio_length.
set -euo pipefail
kind=$1 cli=$2 scale=${3:-1}
py=/usr/bin/python3
source=$(cd "$(dirname "$0")/../.." && pwd)
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
  json_size)  # JSON over MODELEXPORT_MAX_JSON_BYTES (include/modelexport/common/limits.h), refused before parsing.
    # The cap made small so the files stay small: a tokenizer.json, and a config.json embedded (nothing written).
    $py -c "import json; print(json.dumps({'model': {'type': 'WordLevel', 'vocab': {f't{i}': i for i in range(200)}, 'unk_token': 't0'}}))" \
      >"$dir/tokenizer.json"
    MODELEXPORT_MAX_JSON_BYTES=1000 check 200 30 \
      "tokenizer.json: $(stat -c %s "$dir/tokenizer.json") bytes of JSON, above the limit of 1000 (MODELEXPORT_MAX_JSON_BYTES raises it)" \
      "$cli" tokenize "$dir/tokenizer.json" --text hi
    mkdir "$dir/model"
    cp "$source/tests/fixtures/tiny-text-classifier/"* "$dir/model/"
    $py -c "import json, sys; c = json.load(open(sys.argv[1])); c['padding'] = 'x' * 7000; json.dump(c, open(sys.argv[1], 'w'))" \
      "$dir/model/config.json"  # the other files are under 6000 bytes
    MODELEXPORT_MAX_JSON_BYTES=6000 check 200 30 \
      "config.json: $(stat -c %s "$dir/model/config.json") bytes of JSON, above the limit of 6000 (MODELEXPORT_MAX_JSON_BYTES raises it)" \
      "$cli" embed-metadata "$dir/model/model.onnx" "$dir/model" -o "$dir/out.onnx" -q
    [[ ! -e "$dir/out.onnx" ]] || { echo "FAIL: embed-metadata wrote $dir/out.onnx"; exit 1; }
    # The default cap (128 MiB) on a sparse tokenizer.json one byte larger (no disk blocks, reads as
    # zeros): refused by its size before it is read (reading it first took 291 MB).
    rm "$dir/tokenizer.json"
    truncate -s $(((128 << 20) + 1)) "$dir/tokenizer.json"
    check 100 30 "tokenizer.json: 134217729 bytes of JSON, above the limit of 134217728 (MODELEXPORT_MAX_JSON_BYTES raises it)" \
      "$cli" tokenize "$dir/tokenizer.json" --text hi ;;
  vocab_size)  # more vocabulary entries than MODELEXPORT_MAX_VOCAB_SIZE (made 1000): tokenizer.json and vocab.txt.
    $py -c "import json; print(json.dumps({'model': {'type': 'WordLevel', 'vocab': {f't{i}': i for i in range(1001)}, 'unk_token': 't0'}}))" \
      >"$dir/tokenizer.json"
    MODELEXPORT_MAX_VOCAB_SIZE=1000 check 200 30 \
      "1001 vocabulary entries, above the limit of 1000 (MODELEXPORT_MAX_VOCAB_SIZE raises it)" \
      "$cli" tokenize "$dir/tokenizer.json" --text hi
    mkdir "$dir/bert"
    { printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]'; seq -f 'w%g' 996; } >"$dir/bert/vocab.txt"  # 1001 lines
    MODELEXPORT_MAX_VOCAB_SIZE=1000 check 200 30 \
      "vocab.txt: 1001 vocabulary entries, above the limit of 1000 (MODELEXPORT_MAX_VOCAB_SIZE raises it)" \
      "$cli" tokenize "$dir/bert" --text hi ;;
  vocab_id)  # a 94-byte tokenizer.json whose one token has the id 2,000,000,000: ids index a dense table,
    # so without the cap this cost 15.6 GB and 69.5 s; the default cap (2^22) refuses it.
    printf '%s' '{"model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 2000000000}, "unk_token": "[UNK]"}}' \
      >"$dir/tokenizer.json"
    check 100 10 "model.vocab.a: id 2000000000 is not below the limit of 4194304 vocabulary entries (MODELEXPORT_MAX_VOCAB_SIZE raises it)" \
      "$cli" tokenize "$dir/tokenizer.json" --text a ;;
  merges)  # more BPE merges than MODELEXPORT_MAX_MERGES (made 1000): tokenizer.json's model.merges and merges.txt.
    $py - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
vocab = {c: i for i, c in enumerate(letters)}
merges = [f"{a} {b}" for a in letters for b in letters][:1001]  # 1001 of the 676 pairs and beyond
merges += [f"{a}{b} {c}" for a in letters for b in letters for c in letters][:1001 - len(merges)]
json.dump({"model": {"type": "BPE", "vocab": vocab, "merges": merges}}, open(os.path.join(d, "tokenizer.json"), "w"))
os.mkdir(os.path.join(d, "gpt2"))
json.dump(vocab, open(os.path.join(d, "gpt2", "vocab.json"), "w"))
open(os.path.join(d, "gpt2", "merges.txt"), "w").write("#version: 0.2\n" + "\n".join(merges) + "\n")
PY
    MODELEXPORT_MAX_MERGES=1000 check 200 30 "1001 merges, above the limit of 1000 (MODELEXPORT_MAX_MERGES raises it)" \
      "$cli" tokenize "$dir/tokenizer.json" --text hi
    MODELEXPORT_MAX_MERGES=1000 check 200 30 "merges.txt: 1001 merges, above the limit of 1000 (MODELEXPORT_MAX_MERGES raises it)" \
      "$cli" tokenize "$dir/gpt2" --text hi ;;
  gzip_inflation)  # gzip bombs in a self-contained model's compressed tokenizer.json value; every reader
    # inflates a value to at most kMaxInflatedValueBytes (1 GiB, include/modelexport/metadata/values.h).
    # The model is the tiny fixture embedded with every value compressed (so it has the version, the
    # manifest and hf_tokenizer_json:compressed that `tokenize` reads), then the value is replaced.
    "$cli" embed-metadata "$source/tests/fixtures/tiny-text-classifier/model.onnx" "$source/tests/fixtures/tiny-text-classifier" \
      -o "$dir/model.onnx" --compress-threshold 0 -q
    $py - "$dir/model.onnx" <<'PY'
import base64, struct, sys, zlib
import onnx
# MiB blocks of zeros, each after a full flush (no history), so every block compresses to the same
# 1037 bytes: 1037:1 per block, about the best DEFLATE does.
mib = bytes(1 << 20)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
end = c.flush()
def gzip_of_zeros(n_mib, crc=0):
    for _ in range(n_mib):
        crc = zlib.crc32(mib, crc)
    trailer = struct.pack("<II", crc, (n_mib << 20) & 0xFFFFFFFF)  # CRC32 and ISIZE (RFC 1952: size mod 2^32)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + block * n_mib + end + trailer
model = onnx.load(sys.argv[1])
for name, n_mib in (("wrapped", 4097), ("declared", 1025)):
    for p in model.metadata_props:
        if p.key == "hf_tokenizer_json:compressed":
            p.value = base64.b64encode(gzip_of_zeros(n_mib)).decode()
    onnx.save(model, sys.argv[1].replace("model.onnx", name + ".onnx"))
PY
    # 4097 MiB: the size trailer (mod 2^32) says 1 MiB, so the decoder really inflates, into 1 MiB, and
    # stops there: the rest would take the value to over 4 GiB.
    check 200 30 "hf_tokenizer_json:compressed': gzip data inflates past the 1048576 bytes its size trailer declares, so to at least 4296015872 bytes (the trailer counts modulo 2^32), beyond the limit of 1073741824 bytes" \
      "$cli" tokenize "$dir/wrapped.onnx" --text hi
    # 1025 MiB with an honest trailer: refused by its declared size before any buffer is allocated.
    check 200 30 "gzip data declares 1074790400 inflated bytes, beyond the limit of 1073741824 bytes" \
      "$cli" tokenize "$dir/declared.onnx" --text hi ;;
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
