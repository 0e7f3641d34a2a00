// transformers.js (pinned @huggingface/transformers 4.3.1) multilingual translation, greedy, on a local
// encoder-decoder folder in the transformers.js layout, through the tokenizer's _build_translation_inputs
// as its translation pipeline calls it (src/pipelines/text2text-generation.js): the source language
// replaces the template's language token, the target language becomes forced_bos_token_id.
//   node scripts/golden/translation.mjs MODEL_DIR CASES.jsonl MAX_NEW_TOKENS
// CASES lines are {"texts": [...], "tgt_lang", "src_lang" (optional)}; the texts of a case are one
// padded batch. Prints one JSON line per text: {"case": the line's index, "input_ids" (unpadded),
// "output_ids" (with the decoder start token, padding included), "text" (skip_special_tokens)}.
// Note: _build_translation_inputs edits the tokenizer's template in place, so a case without src_lang
// keeps the previous case's source language; the tokenizer is loaded again for each case.
import fs from "node:fs";
import path from "node:path";
import { env, AutoTokenizer, AutoModelForSeq2SeqLM } from "@huggingface/transformers";
import { sessionOptions } from "./session_options.mjs";

const [dir, casesFile, maxNew] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const name = path.basename(dir);
const model = await AutoModelForSeq2SeqLM.from_pretrained(name, {
  dtype: process.env.TJS_DTYPE ?? "fp32",
  session_options: sessionOptions(),
});
const cases = fs.readFileSync(casesFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const [index, c] of cases.entries()) {
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const kwargs = { tgt_lang: c.tgt_lang, max_new_tokens: Number(maxNew), do_sample: false, num_beams: 1 };
  if (c.src_lang !== undefined) kwargs.src_lang = c.src_lang;
  const enc = tokenizer._build_translation_inputs(c.texts, { padding: true, truncation: true }, kwargs);
  const out = await model.generate({ ...enc, ...kwargs });
  const mask = enc.attention_mask.tolist();
  const ids = enc.input_ids.tolist();
  out.tolist().forEach((row, r) => {
    const input_ids = ids[r].filter((_, k) => Number(mask[r][k]) === 1).map(Number);
    const text = tokenizer.decode(row, { skip_special_tokens: true });
    console.log(JSON.stringify({ case: index, input_ids, output_ids: row.map(Number), text }));
  });
}
