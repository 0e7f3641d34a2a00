// transformers.js (pinned @huggingface/transformers) text-classification on a local model folder
// (the transformers.js layout, e.g. from `modelexport unpack --layout transformers.js`).
//   node scripts/golden/text_classification.mjs MODEL_DIR TOP_K TEXTS.jsonl
// Prints one JSON line per {"text"} line, as the pipeline returns it.
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [dir, topK, textsFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const classify = await pipeline("text-classification", path.basename(dir), { dtype: "fp32" });
const texts = fs.readFileSync(textsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
for (const t of texts) console.log(JSON.stringify(await classify(t, { top_k: Number(topK) })));
