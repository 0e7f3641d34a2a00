// transformers.js (pinned @huggingface/transformers 4.3.1) greedy/sampled generation on a local
// decoder-only model folder in the transformers.js layout (`modelexport unpack --layout transformers.js`).
//   node scripts/golden/generate.mjs MODEL_DIR CASES.jsonl
// CASES lines: {"prompts": ["...", ...], "options": {max_new_tokens, repetition_penalty,
// no_repeat_ngram_size, min_new_tokens, ...}}; several prompts are one left-padded batch, as the
// text-generation pipeline pads them. Prints one JSON line per case: {"input_ids": [[...] per row,
// padded], "attention_mask": [[...]], "sequences": [[...] per row: prompt (padded) + new tokens]}.
// A case with "eos_from_step": k first generates greedily, then again with eos_token_id set to the
// k-th new token of that output (and "min_new_tokens" when the case gives it), so stopping and
// min_new_tokens are exercised on a random model; each output line echoes the options it used.
// TJS_DTYPE picks the file (fp32 → onnx/model.onnx, q4 → onnx/model_q4.onnx).
import fs from "node:fs";
import path from "node:path";
import { env, AutoTokenizer, AutoModelForCausalLM } from "@huggingface/transformers";
import { sessionOptions } from "./session_options.mjs";

const [dir, casesFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const name = path.basename(dir);
const tokenizer = await AutoTokenizer.from_pretrained(name);
tokenizer.padding_side = "left";
const model = await AutoModelForCausalLM.from_pretrained(name, {
  dtype: process.env.TJS_DTYPE ?? "fp32",
  session_options: sessionOptions(),
});
const toRows = (t) => {
  const [rows, cols] = t.dims;
  const data = Array.from(t.data, Number);
  return Array.from({ length: rows }, (_, r) => data.slice(r * cols, (r + 1) * cols));
};
const cases = fs.readFileSync(casesFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const c of cases) {
  const enc = tokenizer(c.prompts, { padding: true, add_special_tokens: c.add_special_tokens ?? true });
  const options = { ...c.options };
  if (c.eos_from_step !== undefined) {
    const first = toRows(await model.generate({ ...enc, ...options }))[0];
    options.eos_token_id = first[enc.input_ids.dims[1] + c.eos_from_step];
    if (c.min_new_tokens !== undefined) options.min_new_tokens = c.min_new_tokens;
  }
  const out = await model.generate({ ...enc, ...options });
  console.log(JSON.stringify({ options, input_ids: toRows(enc.input_ids), attention_mask: toRows(enc.attention_mask), sequences: toRows(out) }));
}
