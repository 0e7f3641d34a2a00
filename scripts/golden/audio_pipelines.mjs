// transformers.js (pinned @huggingface/transformers) audio pipelines on a local model folder in the
// transformers.js layout, given the same decoded samples our pipeline gets (transformers.js cannot
// decode audio files in Node).
//   node scripts/golden/audio_pipelines.mjs TASK MODEL_DIR SAMPLES.f32 [OPTIONS_JSON]
// Prints {"out": the pipeline's result, "ids": the argmax id per frame of the model's logits} (ids
// for CTC models: transformers.js' decode drops the pad before collapsing repeats, Python keeps it to
// split them, so tests check both rules on the same ids).
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [task, dir, samplesFile, optionsJson] = process.argv.slice(2);
const options = optionsJson ? JSON.parse(optionsJson) : {};
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const pipe = await pipeline(task, path.basename(dir), { dtype: "fp32" });
const bytes = fs.readFileSync(samplesFile);
const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const out = await pipe(samples, options);
let ids = null;
if (task === "automatic-speech-recognition") {
  const logits = (await pipe.model(await pipe.processor(samples))).logits;
  const [, frames, vocab] = logits.dims;
  ids = [];
  for (let t = 0; t < frames; ++t) {
    let best = 0;
    for (let v = 1; v < vocab; ++v) if (logits.data[t * vocab + v] > logits.data[t * vocab + best]) best = v;
    ids.push(best);
  }
}
console.log(JSON.stringify({ out, ids }));
