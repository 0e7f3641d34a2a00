// transformers.js (pinned @huggingface/transformers) image pipelines on local model folders in the
// transformers.js layout, given the RGB pixels our decoder gives (raw files of width*height*3 bytes),
// so only its preprocessing (sharp's resize, not Pillow's) and post-processing differ from ours.
//   node scripts/golden/image_pipelines.mjs JOBS.json
// JOBS.json: a list of {"task", "model_dir", "pixels", "width", "height", "options"}; for
// zero-shot-image-classification options holds "candidate_labels" (and "hypothesis_template").
// Prints one {"out": the pipeline's result, "pixel_values": the processor's tensor, flattened} per job
// (a Tensor result, feature extraction's, as {"dims", "data"}).
import fs from "node:fs";
import path from "node:path";
import { env, pipeline, RawImage } from "@huggingface/transformers";

env.allowRemoteModels = false;
const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const pipes = new Map();
const results = [];
for (const job of jobs) {
  const key = job.task + " " + job.model_dir;
  if (!pipes.has(key)) {
    env.localModelPath = path.dirname(path.resolve(job.model_dir)) + "/";
    pipes.set(key, await pipeline(job.task, path.basename(job.model_dir), { dtype: "fp32" }));
  }
  const pipe = pipes.get(key);
  const image = new RawImage(new Uint8ClampedArray(fs.readFileSync(job.pixels)), job.width, job.height, 3);
  const { candidate_labels, ...options } = job.options ?? {};
  let out = candidate_labels ? await pipe(image, candidate_labels, options) : await pipe(image, options);
  if (out && out.dims) out = { dims: out.dims, data: Array.from(out.data) };
  const { pixel_values } = await pipe.processor(image);
  results.push({ out, pixel_values: Array.from(pixel_values.data) });
}
console.log(JSON.stringify(results));
