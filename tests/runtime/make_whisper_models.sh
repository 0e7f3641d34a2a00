#!/usr/bin/env bash
# CTest fixture: the generated Whisper models (scripts/fixtures/make_whisper_models.py: English-only
# from whisper-tiny.en, multilingual from PhoWhisper-tiny; random weights, the corpus's real configs,
# generation configs, tokenizers and preprocessor configs, sizes scaled down as its config.json says).
# OUT/NAME/: encoder_model.onnx + decoder_model_merged.onnx, each self-contained (embed-metadata on
# the folder); OUT/tjs/NAME: the transformers.js layout.
# OUT/audio/*.f32: the corpus recordings as `ffmpeg -ac 1 -ar 16000 -f f32le` decodes them (Python's
# decoding; ours is bit-identical to it), what transformers.js is given.
# Case files name samples relative to OUT/audio (the scripts run there).
# OUT/NAME.tjs.jsonl: transformers.js 4.3.1's results and greedy ids (scripts/golden/whisper.mjs) on
# OUT/NAME.cases.jsonl (language names and tokens too; return_language through its tokenizer's
# _decode_asr). OUT/rules.jsonl: Python's rules on the torch network (language detection, timestamps,
# long-form, prompts, return_language) for OUT/rules.cases.jsonl, whose prompts' ids come from
# transformers.js' tokenizer (scripts/golden/whisper_prompt_ids.mjs).
# Without the corpus it writes nothing and the tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models/PhoWhisper-tiny "whisper models"
mkdir -p "$out.tmp/tjs" "$out.tmp/audio"
/usr/bin/python3 "$root/scripts/fixtures/make_whisper_models.py" "$out.tmp/src" "$corpus" > /dev/null 2>&1
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  rm "$dir"/decoder_model.onnx "$dir"/decoder_with_past_model.onnx
  "$cli" embed-metadata "$dir" "$dir" -o "$out.tmp/$name" -q
  "$cli" unpack "$out.tmp/$name/encoder_model.onnx" "$out.tmp/tjs/$name" --layout transformers.js -q
  cp -l "$out.tmp/$name/decoder_model_merged.onnx" "$out.tmp/tjs/$name/onnx/"
done
for f in jfk.flac librispeech_1272-141231-0002.flac; do
  ffmpeg -loglevel error -nostdin -i "$corpus/media/audio/$f" -ac 1 -ar 16000 -f f32le "$out.tmp/audio/${f%.*}.f32"
done
a="$out.tmp/audio"
# 44 s (jfk four times): past 30 s, so decoded long-form.
cat "$a/jfk.f32" "$a/jfk.f32" "$a/jfk.f32" "$a/jfk.f32" > "$a/jfk-x4.f32"
cat > "$out.tmp/whisper-en.cases.jsonl" <<JSONL
{"samples":"jfk.f32","options":{}}
{"samples":"librispeech_1272-141231-0002.f32","options":{}}
{"samples":"jfk.f32","options":{"chunk_length_s":5,"stride_length_s":1}}
JSONL
cat > "$out.tmp/whisper-multi.cases.jsonl" <<JSONL
{"samples":"jfk.f32","options":{"language":"en"}}
{"samples":"jfk.f32","options":{"language":"fr","task":"translate"}}
{"samples":"librispeech_1272-141231-0002.f32","options":{"language":"vi"}}
{"samples":"jfk.f32","options":{"language":"French","task":"translate"}}
{"samples":"jfk.f32","options":{"language":"<|fr|>","task":"translate"}}
{"samples":"jfk.f32","options":{"language":"VIETNAMESE"}}
JSONL
for name in whisper-en whisper-multi; do
  (cd "$a" && node "$root/scripts/golden/whisper.mjs" "$out.tmp/tjs/$name" "$out.tmp/$name.cases.jsonl" > "$out.tmp/$name.tjs.jsonl")
done
# Python's rules where transformers.js does not follow them (scripts/golden/whisper_rules.py).
cat > "$out.tmp/rules.cases.jsonl" <<JSONL
{"model":"whisper-multi","samples":"jfk.f32","options":{}}
{"model":"whisper-multi","samples":"librispeech_1272-141231-0002.f32","options":{}}
{"model":"whisper-en","samples":"jfk.f32","options":{"return_timestamps":true}}
{"model":"whisper-multi","samples":"librispeech_1272-141231-0002.f32","options":{"language":"en","return_timestamps":true}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{}}
{"model":"whisper-multi","samples":"jfk-x4.f32","options":{"return_timestamps":true}}
{"model":"whisper-en","samples":"jfk.f32","options":{"return_language":true}}
{"model":"whisper-multi","samples":"jfk.f32","options":{"language":"castilian","return_language":true}}
{"model":"whisper-multi","samples":"jfk.f32","options":{"return_language":true,"return_timestamps":true}}
{"model":"whisper-multi","samples":"jfk.f32","options":{"prompt":" Ask not what your country can do ","return_language":true}}
{"model":"whisper-en","samples":"jfk.f32","options":{"prompt":"And so, my fellow Americans","return_timestamps":true}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{"prompt":"And so, my fellow Americans","return_timestamps":true}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{"condition_on_prev_tokens":true,"return_timestamps":true}}
{"model":"whisper-multi","samples":"jfk-x4.f32","options":{"prompt":"Ask not","condition_on_prev_tokens":true,"return_language":true}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{"prompt":"Ask not","condition_on_prev_tokens":true,"prompt_condition_type":"all-segments","return_timestamps":true}}
{"model":"whisper-en","samples":"jfk.f32","options":{"compression_ratio_threshold":1.35,"logprob_threshold":-1.0,"no_speech_threshold":0.6,"temperatures":[0.0]}}
{"model":"whisper-multi","samples":"jfk.f32","options":{"language":"fr","prompt":"Ask not","compression_ratio_threshold":1.35,"logprob_threshold":-1.0}}
{"model":"whisper-multi","samples":"jfk-x4.f32","options":{"return_timestamps":true,"compression_ratio_threshold":0.5,"logprob_threshold":-1e9,"temperatures":[0.0,0.0]}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{"return_timestamps":true,"logprob_threshold":-1e9,"no_speech_threshold":0.0}}
{"model":"whisper-en","samples":"jfk-x4.f32","options":{"return_timestamps":true,"condition_on_prev_tokens":true,"logprob_threshold":0.0,"no_speech_threshold":0.0}}
JSONL
node "$root/scripts/golden/whisper_prompt_ids.mjs" "$out.tmp" "$out.tmp/rules.cases.jsonl" > "$out.tmp/rules.prompted.jsonl"
(cd "$a" && /usr/bin/python3 "$root/scripts/golden/whisper_rules.py" "$corpus" "$out.tmp" "$out.tmp/rules.prompted.jsonl" > "$out.tmp/rules.jsonl")
rm -rf "$out.tmp/src"
mv "$out.tmp" "$out"
