// transformers.js (pinned @huggingface/transformers 4.3.1) greedy generation on a local
// encoder-decoder folder in the transformers.js layout (onnx/encoder_model.onnx +
// onnx/decoder_model_merged.onnx, e.g. from `modelexport unpack --layout transformers.js`).
//   node scripts/golden/seq2seq.mjs MODEL_DIR INPUTS.jsonl MAX_NEW_TOKENS [BATCHES]
// INPUTS lines are {"text"}. For each batch size in BATCHES (comma-separated, default "1") the
// texts are tokenized with padding and generated that many at a time with do_sample false,
// num_beams 1. Prints one JSON line per input and batch size: {"batch", "input_ids": the encoder ids
// (unpadded), "output_ids": the generated sequence including the decoder start token, as
// generate() returns it, padding included, "text": it decoded with skip_special_tokens, as the
// text2text-generation pipeline returns it}.
// TJS_DTYPE picks the files (fp32, q4 → onnx/*_q4.onnx, ...).
import fs from "node:fs";
import path from "node:path";
import { env, AutoTokenizer, AutoModelForSeq2SeqLM } from "@huggingface/transformers";
import { sessionOptions } from "./session_options.mjs";

const [dir, inputsFile, maxNew, batchArg] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const name = path.basename(dir);
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForSeq2SeqLM.from_pretrained(name, {
  dtype: process.env.TJS_DTYPE ?? "fp32",
  session_options: sessionOptions(),
});
const texts = fs.readFileSync(inputsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
for (const batch of (batchArg ?? "1").split(",").map(Number))
for (let i = 0; i < texts.length; i += batch) {
  const chunk = texts.slice(i, i + batch);
  const enc = tokenizer(chunk, { padding: true });
  const out = await model.generate({ ...enc, max_new_tokens: Number(maxNew), do_sample: false, num_beams: 1 });
  const rows = out.tolist();
  const mask = enc.attention_mask.tolist();
  const ids = enc.input_ids.tolist();
  rows.forEach((row, r) => {
    const input_ids = ids[r].filter((_, k) => Number(mask[r][k]) === 1).map(Number);
    const text = tokenizer.decode(row, { skip_special_tokens: true });
    console.log(JSON.stringify({ batch, input_ids, output_ids: row.map(Number), text }));
  });
}
