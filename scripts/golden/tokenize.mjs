// Golden tokenizer outputs from Hugging Face tokenizers (npm `tokenizers`, pinned in package.json).
//   node scripts/golden/tokenize.mjs CORPUS_DIR OUT.jsonl [EVERY_NTH_MULTILINGUAL] [MORE_TOKENIZER_DIRS...]
// For every corpus tokenizer that loads: all of text/edge_cases.jsonl, every Nth line of
// text/multilingual.jsonl (default 20), with and without special tokens; pairs for a sample.
// One JSON line per encoding; tokenizers that fail to load get a {"tokenizer", "load_error"} line.
import fs from "node:fs";
import path from "node:path";
import { Tokenizer } from "tokenizers";

const [corpus, out, nthArg, ...moreDirs] = process.argv.slice(2);
const nth = Number(nthArg ?? 20);
const lines = (f) => fs.readFileSync(path.join(corpus, "text", f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
const edge = lines("edge_cases.jsonl");
const multi = lines("multilingual.jsonl").filter((_, i) => i % nth === 0);
const texts = [...edge, ...multi];
const pairs = [];
for (let i = 0; i + 1 < edge.length; i += 3) pairs.push([edge[i], edge[i + 1]]);

const sink = fs.createWriteStream(out);
const sources = [];
for (const dir of [path.join(corpus, "tokenizers"), ...moreDirs])
  for (const name of fs.readdirSync(dir).sort()) sources.push([name, path.join(dir, name, "tokenizer.json")]);
for (const [name, file] of sources) {
  if (!fs.existsSync(file)) continue;
  let tok;
  try {
    tok = Tokenizer.fromFile(file);
  } catch (e) {
    sink.write(JSON.stringify({ tokenizer: name, file, load_error: String(e.message ?? e) }) + "\n");
    continue;
  }
  const emit = async (text, pair, special) => {
    let enc;
    try {
      enc = await tok.encode(text, pair, { addSpecialTokens: special });
    } catch (e) {
      sink.write(JSON.stringify({ tokenizer: name, file, text, pair, special, encode_error: String(e.message ?? e) }) + "\n");
      return;
    }
    const ids = enc.getIds();
    sink.write(JSON.stringify({
      tokenizer: name, file, text, pair, special, ids, tokens: enc.getTokens(), offsets: enc.getOffsets(),
      type_ids: enc.getTypeIds(), attention_mask: enc.getAttentionMask(), special_tokens_mask: enc.getSpecialTokensMask(),
      word_ids: enc.getWordIds(), decoded: await tok.decode(ids, true),
    }) + "\n");
  };
  for (const t of texts) for (const special of [true, false]) await emit(t, null, special);
  for (const [a, b] of pairs) await emit(a, b, true);
}
sink.end();
