// Hugging Face tokenizers (npm, pinned) single-thread throughput on the same texts: one encodeBatch
// call per run (run with RAYON_NUM_THREADS=1), so the Node binding's per-call cost does not count.
//   RAYON_NUM_THREADS=1 node bench/hf_tokenizer_bench.mjs TOKENIZER.json TEXTS.jsonl [RUNS]
import fs from "node:fs";
import { Tokenizer } from "tokenizers";

const [file, textsFile, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const texts = fs.readFileSync(textsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const loads = [];
let tok;
for (let r = 0; r < runs; ++r) {
  const t0 = process.hrtime.bigint();
  tok = Tokenizer.fromFile(file);
  loads.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
tok.setPadding ? null : null;
const secs = [];
let checksum = 0n;
for (let r = 0; r < runs; ++r) {
  const t0 = process.hrtime.bigint();
  const encs = await tok.encodeBatch(texts, { addSpecialTokens: true });
  secs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (r === 0) for (const e of encs) for (const id of e.getIds()) checksum = (checksum * 31n + BigInt(id)) & ((1n << 64n) - 1n);
}
secs.sort((a, b) => a - b);
loads.sort((a, b) => a - b);
const med = secs[Math.floor(secs.length / 2)];
console.log(JSON.stringify({ impl: "hf-tokenizers", texts: texts.length, bytes, median_s: med, mb_per_s: bytes / 1e6 / med,
  load_ms: loads[Math.floor(loads.length / 2)], checksum: checksum.toString() }));
