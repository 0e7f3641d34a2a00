// transformers.js (pinned @huggingface/transformers) pipelines on a local model folder in the
// transformers.js layout (e.g. from `modelexport unpack --layout transformers.js`).
//   node scripts/golden/pipelines.mjs TASK MODEL_DIR INPUTS.jsonl [OPTIONS_JSON]
// INPUTS lines are {"text"}, {"question","context"} or {"text","labels"}; OPTIONS_JSON is passed to
// the pipeline call (top_k, pooling, normalize, aggregation_strategy, multi_label, ...).
// Prints one JSON line per input: {"out": the pipeline's result for that input alone, exactly as
// returned (a Tensor as its full nested list: feature-extraction's dims [1, tokens, hidden] or
// [1, hidden] keep the leading 1, so tests compare shapes, not only values), "ids": transformers.js' own tokenization of it (the pair for question answering)}, so a
// test can tell transformers.js' tokenizer deviations from pipeline differences.
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";
import { sessionOptions } from "./session_options.mjs";

const [task, dir, inputsFile, optionsJson] = process.argv.slice(2);
const options = optionsJson ? JSON.parse(optionsJson) : {};
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
// TJS_DTYPE picks the file transformers.js loads: fp32 → onnx/model.onnx, q4 → onnx/model_q4.onnx, ...
// TJS_EXTERNAL_DATA=1 loads its weights from the data file named after it (onnx/model_q4.onnx_data),
// as browsers need (use_external_data_format).
const pipe = await pipeline(task, path.basename(dir), {
  dtype: process.env.TJS_DTYPE ?? "fp32",
  session_options: sessionOptions(),
  ...(process.env.TJS_EXTERNAL_DATA === "1" ? { use_external_data_format: true } : {}),
});
const inputs = fs.readFileSync(inputsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const input of inputs) {
  let out;
  if (task === "question-answering") out = await pipe(input.question, input.context, options);
  else if (task === "zero-shot-classification") out = await pipe(input.text, input.labels, options);
  else out = await pipe(input.text, options);
  if (out && typeof out.tolist === "function") out = out.tolist();
  const enc = task === "question-answering" ? pipe.tokenizer(input.question, { text_pair: input.context }) : pipe.tokenizer(input.text);
  const ids = Array.from(enc.input_ids.data, Number);
  console.log(JSON.stringify({ out, ids }));
}
