#!/usr/bin/env bash
# Pipeline benchmarks (issue 4), ours and transformers.js (npm, pinned) in the same run:
#   - overhead: pipeline end to end vs bare Ort::Session::Run, batch 1, 128 tokens, BERT-base random model
#   - creation: pipeline creation without the ORT session, processor memory (30k-token tokenizer)
#   - fixed shapes: a static [1, 128] copy of the BERT-base classifier against the dynamic one
#   - vs transformers.js: text-classification and feature-extraction (mean pooling, normalised) on
#     the corpus's first 32 multilingual texts of 8+ words, at batch 1 and 32, BERT-base and a
#     MiniLM-L6-sized model
#   bench/pipelines.sh [ITER]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench/build.sh bench_pipeline modelexport_cli
iter="${1:-5}"
corpus="${MODELEXPORT_CORPUS:-$root/../shared/corpus}"
work="$root/build/bench-models"
cli="$root/build/modelexport"
mkdir -p "$work/tjs"
make() {  # NAME HEAD [generator options]
  local name=$1 head=$2
  shift 2
  if [[ ! -f "$work/$name.onnx" ]]; then
    /usr/bin/python3 bench/make_bert_model.py "$work/src/$name" "$corpus" --head "$head" "$@" > /dev/null
    "$cli" embed-metadata "$work/src/$name/model.onnx" "$work/src/$name" -o "$work/$name.onnx" -q
    rm -rf "$work/tjs/$name"
    "$cli" unpack "$work/$name.onnx" "$work/tjs/$name" --layout transformers.js > /dev/null
  fi
}
make bert-base-tc sequence-classification
make bert-base-fe none
make bert-base-tc-static128 sequence-classification --static-length 128
make minilm-tc sequence-classification --layers 6 --hidden 384 --heads 12 --intermediate 1536
make minilm-fe none --layers 6 --hidden 384 --heads 12 --intermediate 1536
/usr/bin/python3 - "$corpus/text/multilingual.jsonl" "$work/texts.jsonl" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    j = json.loads(line)
    if len(j["text"].split()) >= 8:
        out.append(j["text"])
    if len(out) == 32:
        break
open(sys.argv[2], "w", encoding="utf-8").write("".join(json.dumps({"text": t}) + "\n" for t in out))
PY

echo "== overhead (batch 1, 128 tokens): pipeline vs bare Session::Run"
build/bench/bench_pipeline overhead "$work/bert-base-tc.onnx" $((iter * 10))
build/bench/bench_pipeline overhead "$work/bert-base-fe.onnx" $((iter * 10)) mean
echo "== creation without the ORT session, processor memory"
build/bench/bench_pipeline creation "$work/bert-base-tc.onnx"
echo "== fixed shapes: the same BERT-base classifier with dynamic dims and with static [1, 128] (median ms per text)"
for name in bert-base-tc bert-base-tc-static128; do
  echo "$name, 32 texts one by one: $(build/bench/bench_pipeline texts "$work/$name.onnx" "$work/texts.jsonl" 1 "$iter")"
  echo "$name, a 128-token text: $(build/bench/bench_pipeline overhead "$work/$name.onnx" $((iter * 10)))"
done
echo "== vs transformers.js (32 texts; median ms per call)"
for model in bert-base minilm; do
  for task in tc fe; do
    name="$model-$task"
    if [[ $task == tc ]]; then t=text-classification pooling=""; else t=feature-extraction pooling=mean; fi
    for batch in 1 32; do
      ours=$(build/bench/bench_pipeline texts "$work/$name.onnx" "$work/texts.jsonl" $batch "$iter" --pooling "$pooling")
      tjs=$(node bench/transformers_js_pipeline_bench.mjs $t "$work/tjs/$name" "$work/texts.jsonl" $batch "$iter" $pooling)
      /usr/bin/python3 - "$name" "$batch" "$ours" "$tjs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[3]), json.loads(sys.argv[4])
print(f"{sys.argv[1]} batch {sys.argv[2]}: ours {o['median_ms']:.2f} ms, transformers.js {t['median_ms']:.2f} ms = {t['median_ms']/o['median_ms']:.2f}x faster ({o['calls']} calls)")
PY
    done
  done
done
