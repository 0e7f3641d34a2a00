// transformers.js (pinned @huggingface/transformers) pipeline latency on the same texts as
// bench_pipeline texts: median ms per call over batches of BATCH texts.
//   node bench/transformers_js_pipeline_bench.mjs TASK MODEL_DIR TEXTS.jsonl BATCH ITER [POOLING]
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [task, dir, textsFile, batchArg, iterArg, pooling] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const pipe = await pipeline(task, path.basename(dir), { dtype: "fp32" });
const texts = fs.readFileSync(textsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
const batch = Number(batchArg);
const options = pooling ? { pooling, normalize: true } : {};
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
