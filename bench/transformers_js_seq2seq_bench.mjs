// transformers.js (pinned @huggingface/transformers 4.3.1) text2text-generation latency on the same
// texts as bench_seq2seq: median ms per call over batches of BATCH texts, MAX_NEW new tokens each
// (min_new_tokens = max), greedy.
//   node bench/transformers_js_seq2seq_bench.mjs MODEL_DIR TEXTS.jsonl BATCH ITER MAX_NEW
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [dir, textsFile, batchArg, iterArg, maxNewArg] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const pipe = await pipeline("text2text-generation", path.basename(dir), { dtype: "fp32" });
const texts = fs.readFileSync(textsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
const batch = Number(batchArg);
const n = Number(maxNewArg);
const options = { max_new_tokens: n, min_new_tokens: n, do_sample: false, num_beams: 1 };
const times = [];
for (let it = -1; it < Number(iterArg); ++it)
  for (let first = 0; first < texts.length; first += batch) {
    const chunk = texts.slice(first, first + batch);
    const t = performance.now();
    await pipe(batch === 1 ? chunk[0] : chunk, options);
    if (it >= 0) times.push(performance.now() - t);
  }
times.sort((a, b) => a - b);
console.log(JSON.stringify({ batch, calls: times.length, median_ms: times[Math.floor(times.length / 2)] }));
