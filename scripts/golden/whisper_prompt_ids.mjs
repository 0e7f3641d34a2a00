// Whisper prompt ids as transformers' WhisperProcessor.get_prompt_ids makes them (tokenization_whisper.py:
// the pair ("<|startofprev|>", " " + text.strip()) encoded without special tokens), with the pinned
// transformers.js 4.3.1 tokenizer (whose Whisper generate takes no prompt_ids itself).
//   node scripts/golden/whisper_prompt_ids.mjs MODELS_DIR CASES.jsonl > OUT.jsonl
// MODELS_DIR holds tjs/NAME (the transformers.js layout); each case line {"model": NAME, "options":
// {"prompt": TEXT, ...}, ...} is printed back with "prompt_ids" added when it has a prompt.
import fs from "node:fs";
import path from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";

const [dir, casesFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.resolve(dir, "tjs") + "/";
const tokenizers = {};
for (const line of fs.readFileSync(casesFile, "utf8").split("\n").filter(Boolean)) {
  const c = JSON.parse(line);
  const prompt = c.options?.prompt;
  if (prompt !== undefined) {
    tokenizers[c.model] ??= await AutoTokenizer.from_pretrained(c.model);
    c.prompt_ids = tokenizers[c.model]
      .encode("<|startofprev|>", { text_pair: " " + prompt.trim(), add_special_tokens: false })
      .map(Number);
  }
  console.log(JSON.stringify(c));
}
