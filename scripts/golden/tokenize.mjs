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
pairs.push([edge[1], ""], ["", edge[1]], ["", ""]);  // an empty side is still a pair

const sink = fs.createWriteStream(out);
const sources = [];
for (const dir of [path.join(corpus, "tokenizers"), ...moreDirs])
  for (const name of fs.readdirSync(dir).sort()) sources.push([name, path.join(dir, name, "tokenizer.json")]);

// Recombined configs: real corpus vocabularies with normalizers and pre-tokenizers their own files
// do not use, so that every component meets real text and real vocabularies, not only in the
// combinations shipped. Written beside the output; their texts add every line of the scripts with
// many combining marks (Devanagari, Bengali, Gurmukhi, Tamil, Thai, Arabic, Hebrew).
const recombinedDir = `${out.replace(/\.tmp$/, "")}.recombined`;
fs.rmSync(recombinedDir, { recursive: true, force: true });
const markScripts = /[\u0590-\u06FF\u0900-\u0A7F\u0B80-\u0BFF\u0E00-\u0E7F]/u;
const markTexts = lines("multilingual.jsonl").filter((t) => markScripts.test(t));
const recombined = [
  ["bert-uncased", "Sequence[NFKC,Lowercase,StripAccents]+Sequence[WhitespaceSplit,Punctuation,Digits(individual)]",
    { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Lowercase" }, { type: "StripAccents" }] },
    { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Punctuation", behavior: "Isolated" }, { type: "Digits", individual_digits: true }] }],
  ["bert-cased", "BertNormalizer(strip_accents,cased)+BertPreTokenizer",
    { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: false }, { type: "BertPreTokenizer" }],
  ["bert-uncased", "Sequence[NFD,StripAccents,Lowercase]+Whitespace",
    { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] }, { type: "Whitespace" }],
  ["bert-cased", "Sequence[NFKD,StripAccents,Strip]+Sequence[UnicodeScripts,Punctuation(Contiguous),Digits]",
    { type: "Sequence", normalizers: [{ type: "NFKD" }, { type: "StripAccents" }, { type: "Strip", strip_left: true, strip_right: true }] },
    { type: "Sequence", pretokenizers: [{ type: "UnicodeScripts" }, { type: "Punctuation", behavior: "Contiguous" }, { type: "Digits", individual_digits: false }] }],
  ["roberta", "Sequence[NFKD,StripAccents]+ByteLevel",
    { type: "Sequence", normalizers: [{ type: "NFKD" }, { type: "StripAccents" }] }, null],
  ["t5", "Sequence[NFD,StripAccents,Lowercase]+Sequence[Punctuation(MergedWithPrevious),Metaspace]",
    { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    { type: "Sequence", pretokenizers: [{ type: "Punctuation", behavior: "MergedWithPrevious" }, { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true }] }],
];
const vocabularies = {
  "bert-uncased": "bert-uncased-wordpiece_all-MiniLM-L6-v2", "bert-cased": "bert-cased-wordpiece_bert-base-NER",
  roberta: "roberta-base", t5: "t5-small",
};
const recombinedTexts = [...texts, ...markTexts.filter((t) => !texts.includes(t))];
for (const [vocab, label, normalizer, preTokenizer] of recombined) {
  const base = JSON.parse(fs.readFileSync(path.join(corpus, "tokenizers", vocabularies[vocab], "tokenizer.json"), "utf8"));
  base.normalizer = normalizer;
  if (preTokenizer) base.pre_tokenizer = preTokenizer;
  base.truncation = null;
  base.padding = null;
  const name = `recombined:${vocabularies[vocab]}:${label}`;
  const dir = path.join(recombinedDir, name.replace(/[^A-Za-z0-9._-]+/g, "_"));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(base));
  sources.push([name, path.join(dir, "tokenizer.json"), recombinedTexts]);
}

for (const [name, file, ownTexts] of sources) {
  if (!fs.existsSync(file)) continue;
  let tok;
  try {
    tok = Tokenizer.fromFile(file);
  } catch (e) {
    sink.write(JSON.stringify({ tokenizer: name, file, load_error: String(e.message ?? e) }) + "\n");
    continue;
  }
  const fields = (enc) => ({
    ids: enc.getIds(), tokens: enc.getTokens(), offsets: enc.getOffsets(), type_ids: enc.getTypeIds(),
    attention_mask: enc.getAttentionMask(), special_tokens_mask: enc.getSpecialTokensMask(), word_ids: enc.getWordIds(),
  });
  const emit = async (text, pair, special, truncation) => {
    let enc;
    try {
      enc = await tok.encode(text, pair, { addSpecialTokens: special });
    } catch (e) {
      sink.write(JSON.stringify({ tokenizer: name, file, text, pair, special, truncation, encode_error: String(e.message ?? e) }) + "\n");
      return;
    }
    const line = { tokenizer: name, file, text, pair, special, ...fields(enc), decoded: await tok.decode(enc.getIds(), true) };
    // Overflowing windows are not recorded: the binding's lists are not consistent with each other
    // (e.g. 22 tokens, max 10, stride 2 gives none); the main truncated encoding is compared.
    if (truncation) line.truncation = truncation;
    sink.write(JSON.stringify(line) + "\n");
  };
  for (const t of ownTexts ?? texts) for (const special of [true, false]) await emit(t, null, special);
  for (const [a, b] of pairs) await emit(a, b, true);
  // Truncation with a stride, single sequences and pairs. tokenizers aborts the process when the
  // stride is not below the room left once special tokens are counted, so the texts are long (and,
  // for OnlySecond, the first sequence short).
  const truncations = [
    { maxLength: 16, stride: 2, strategy: "LongestFirst", direction: "Right" },
    { maxLength: 16, stride: 2, strategy: "LongestFirst", direction: "Left" },
    { maxLength: 40, stride: 1, strategy: "OnlyFirst", direction: "Right" },
  ];
  // Only texts the tokenizer encodes without truncation: with a vocabulary lacking its unk token,
  // tokenizers fails untruncated but succeeds truncated (noted in the issue notes).
  const longTexts = [];
  for (const t of texts.filter((x) => x.length > 60 && x.length < 400)) {
    if (longTexts.length === 24) break;
    try {
      await tok.encode(t, null, { addSpecialTokens: true });
      longTexts.push(t);
    } catch (e) {
      // skipped
    }
  }
  for (const tr of truncations) {
    // The binding wants the direction in lower case (its typings say otherwise).
    tok.setTruncation(tr.maxLength, { stride: tr.stride, strategy: tr.strategy, direction: tr.direction.toLowerCase() });
    for (const t of longTexts) await emit(t, null, true, tr);
  }
  // Pairs: both sides long (LongestFirst splits the budget), and a short first side with a long
  // second one truncated alone (OnlySecond, as question answering does).
  const pairTruncations = [
    { maxLength: 32, stride: 2, strategy: "OnlySecond", direction: "Right" },
    { maxLength: 32, stride: 0, strategy: "OnlySecond", direction: "Left" },
  ];
  // Short first sides: at most 6 tokens, so the room left for the second stays far above the stride.
  const shortTexts = [];
  for (const x of texts.filter((y) => y.trim().length > 2 && y.length < 16)) {
    if (shortTexts.length === 12) break;
    try {
      if ((await tok.encode(x, null, { addSpecialTokens: false })).getIds().length <= 6) shortTexts.push(x);
    } catch (e) {
      // skipped
    }
  }
  for (const tr of pairTruncations) {
    tok.setTruncation(tr.maxLength, { stride: tr.stride, strategy: tr.strategy, direction: tr.direction.toLowerCase() });
    for (let i = 0; i + 1 < longTexts.length; i += 2) {
      const first = tr.strategy === "OnlySecond" ? shortTexts[(i / 2) % Math.max(1, shortTexts.length)] : longTexts[i];
      if (first !== undefined) await emit(first, longTexts[i + 1], true, tr);
    }
  }
  tok.disableTruncation();
}

// Code-point sweeps: every code point through the character-class components, where Hugging Face's
// Unicode tables (older than utf8proc's and ICU's) decide. Normalizers: each code point alone;
// lines list [code point, output] where the output differs. Pre-tokenizers: "a" + code point + "b";
// lines list runs [first code point, pieces' offsets] where the pieces change.
const sweepNormalizers = [
  { type: "StripAccents" }, { type: "BertNormalizer", clean_text: false, handle_chinese_chars: false, strip_accents: true, lowercase: false },
  { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
  { type: "Lowercase" }, { type: "NFC" }, { type: "NFD" }, { type: "NFKC" }, { type: "NFKD" },
];
const sweepPreTokenizers = [
  { type: "Punctuation", behavior: "Isolated" }, { type: "BertPreTokenizer" }, { type: "Digits", individual_digits: true },
  { type: "WhitespaceSplit" }, { type: "Whitespace" }, { type: "UnicodeScripts" },
  { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
  { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
];
const codePoints = [];
for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) codePoints.push(c);
const stageOf = (key, config) =>
  Tokenizer.fromString(JSON.stringify({ version: "1.0", [key]: config, model: { type: "WordLevel", vocab: {}, unk_token: "[UNK]" } }));
for (const config of sweepNormalizers) {
  const normalizer = stageOf("normalizer", config).getNormalizer();
  const changed = [];
  for (const c of codePoints) {
    const s = String.fromCodePoint(c), n = normalizer.normalizeString(s);
    if (n !== s) changed.push([c, n]);
  }
  sink.write(JSON.stringify({ sweep: "normalizer", config, changed }) + "\n");
}
for (const config of sweepPreTokenizers) {
  const preTokenizer = stageOf("pre_tokenizer", config).getPreTokenizer();
  const runs = [];
  let last = "";
  for (const c of codePoints) {
    const pieces = JSON.stringify(preTokenizer.preTokenizeString("a" + String.fromCodePoint(c) + "b").map((p) => p[1]));
    if (pieces !== last) runs.push([c, JSON.parse(pieces)]), (last = pieces);
  }
  sink.write(JSON.stringify({ sweep: "pre_tokenizer", config, runs }) + "\n");
}
sink.end();
