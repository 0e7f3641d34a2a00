#!/usr/bin/env bash
# CTest fixture: the generated encoder-decoder models (scripts/fixtures/make_seq2seq_models.py: T5- and
# BART-shaped, random weights, the corpus's real configs and tokenizers). Each folder's ONNX files get
# the folder's Hugging Face files embedded (embed-metadata on the folder) into OUT/NAME/, are
# quantized to q4 beside them (NAME/*_q4.onnx), and unpacked to the transformers.js layout in
# OUT/tjs/NAME (onnx/encoder_model.onnx + onnx/decoder_model_merged.onnx, and the _q4 files).
# OUT/NAME.DTYPE.golden.jsonl: transformers.js' greedy ids on OUT/inputs.jsonl.
# OUT/m2m100.DTYPE.translation.jsonl: transformers.js' multilingual translation (source language in the
# template, target language as forced_bos_token_id) on OUT/translation_cases.jsonl (scripts/golden/translation.mjs).
# OUT/beam.golden.jsonl: beam search cases on t5-translation by Python's rules (torch logits).
# OUT/raw: t5-summarization's encoder_model.onnx + decoder_model_merged.onnx as generated (no metadata).
# OUT/hidden64 is a T5 set with d_model 64 (the bad-input table pairs its decoder with a 32-wide encoder).
# Without the corpus it writes nothing and the tests skip.
set -euo pipefail
source "$(dirname "$0")/fixture_common.sh"
fixture_needs_corpus models "seq2seq models"
mkdir -p "$out.tmp/tjs"
/usr/bin/python3 "$root/scripts/fixtures/make_seq2seq_models.py" "$out.tmp/src" "$corpus" > /dev/null 2>&1
/usr/bin/python3 "$root/scripts/fixtures/make_seq2seq_models.py" "$out.tmp/src64" "$corpus" --d-model 64 --only t5-translation > /dev/null 2>&1
for dir in "$out.tmp"/src/*/; do
  name=$(basename "$dir")
  "$cli" embed-metadata "$dir" "$dir" -o "$out.tmp/$name" -q
  for part in encoder_model decoder_model_merged; do
    "$cli" quantize "$out.tmp/$name/$part.onnx" -o "$out.tmp/$name/${part}_q4.onnx" --dtype q4 --no-accuracy -q
  done
  # The encoder's unpack gives the folder (config, tokenizer, onnx/encoder_model.onnx); the other files join it.
  "$cli" unpack "$out.tmp/$name/encoder_model.onnx" "$out.tmp/tjs/$name" --layout transformers.js -q
  cp -l "$out.tmp/$name"/encoder_model_q4.onnx "$out.tmp/$name"/decoder_model_merged*.onnx "$out.tmp/tjs/$name/onnx/"
done
# fp16 and q4f16 sets of two of them (`quantize FOLDER -o FOLDER`: NAME/*_fp16.onnx, NAME/*_q4f16.onnx),
# also in their transformers.js folders.
for name in t5-translation bart; do
  for dtype in fp16 q4f16; do
    "$cli" quantize "$out.tmp/$name" -o "$out.tmp/$name" --dtype $dtype --no-accuracy -q
    cp -l "$out.tmp/$name"/*_$dtype.onnx "$out.tmp/tjs/$name/onnx/"
  done
done
# transformers.js 4.3.1's greedy ids (scripts/golden/seq2seq.mjs), one text at a time and 3 at a time.
cat > "$out.tmp/inputs.jsonl" <<'JSONL'
{"text":"translate English to French: The house is wonderful."}
{"text":"summarize: studies have shown that owning a dog is good for you"}
{"text":"Hello"}
{"text":"How are you doing today, my friend? It has been a long time since we last met."}
JSONL
for name in t5-translation t5-summarization bart; do
  dtypes="fp32 q4"
  [[ $name == t5-summarization ]] || dtypes="fp32 q4 fp16 q4f16"
  for dtype in $dtypes; do
    TJS_DTYPE=$dtype node "$root/scripts/golden/seq2seq.mjs" "$out.tmp/tjs/$name" "$out.tmp/inputs.jsonl" 12 1,3 \
      > "$out.tmp/$name.$dtype.golden.jsonl"
  done
done
cat > "$out.tmp/translation_cases.jsonl" <<'JSONL'
{"texts":["The house is wonderful."],"tgt_lang":"fr"}
{"texts":["Das Haus ist wunderbar."],"src_lang":"de","tgt_lang":"ro"}
{"texts":["Hello","La maison est merveilleuse, mais elle est trop petite."],"src_lang":"fr","tgt_lang":"en"}
{"texts":["Bună ziua","Good evening, my friend.","Guten Abend"],"src_lang":"ro","tgt_lang":"de"}
JSONL
for dtype in fp32 q4; do
  TJS_DTYPE=$dtype node "$root/scripts/golden/translation.mjs" "$out.tmp/tjs/m2m100" "$out.tmp/translation_cases.jsonl" 10 \
    > "$out.tmp/m2m100.$dtype.translation.jsonl"
done
# The Marian pair model: one text at a time (transformers.js cannot pad with this tokenizer: its <pad> is
# only in tokenizer_config.json's added_tokens_decoder).
node "$root/scripts/golden/seq2seq.mjs" "$out.tmp/tjs/marian" "$out.tmp/inputs.jsonl" 12 1 2> /dev/null \
  > "$out.tmp/marian.fp32.golden.jsonl"
# Beam search by Python's rules on the torch network's own logits (scripts/golden/seq2seq_beam.py).
/usr/bin/python3 "$root/scripts/golden/seq2seq_beam.py" "$out.tmp/t5-translation.fp32.golden.jsonl" "$out.tmp/beam.golden.jsonl"
"$cli" embed-metadata "$out.tmp/src64/t5-translation" "$out.tmp/src64/t5-translation" -o "$out.tmp/hidden64" -q
mkdir "$out.tmp/raw"
mv "$out.tmp/src/t5-summarization"/{encoder_model,decoder_model_merged}.onnx "$out.tmp/raw/"
rm -rf "$out.tmp/src" "$out.tmp/src64"
mv "$out.tmp" "$out"
