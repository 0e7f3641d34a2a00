// transformers.js (pinned @huggingface/transformers) image-classification end to end on image files
// (decoding with sharp included, as its pipeline reads paths): ms per call over ITER calls on the
// whole list of images as one batch, after one warm-up call; wall time and CPU time (user + system,
// all threads) of each call.
//   node bench/transformers_js_image_bench.mjs MODEL_DIR THREADS ITER IMAGE...
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [dir, threads, iter, ...images] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const pipe = await pipeline("image-classification", path.basename(dir), {
  dtype: "fp32",
  session_options: { intraOpNumThreads: Number(threads), interOpNumThreads: 1 },
});
const times = [], cpu = [];
for (let it = -1; it < Number(iter); ++it) {
  const t = performance.now(), c = process.cpuUsage();
  await pipe(images, { top_k: 5 });
  const used = process.cpuUsage(c);  // every thread of the process: sharp's, ONNX Runtime's, JS
  if (it >= 0) times.push(performance.now() - t), cpu.push((used.user + used.system) / 1000);
}
console.log(JSON.stringify({ images: images.length, times_ms: times, cpu_ms: cpu }));
