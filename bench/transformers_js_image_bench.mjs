// transformers.js (pinned @huggingface/transformers) image-classification end to end on image files,
// the counterpart of bench/image_pipeline_bench.cc (bench/image_pipelines.sh runs both, alternating):
//   node bench/transformers_js_image_bench.mjs MODEL_DIR THREADS ITER IMAGE...
//   → {"images", "load_ms", "first_call_ms", "times_ms": [...], "cpu_ms": [...], "top", "peak_rss_mb"}
// load_ms: pipeline(...) (config, processor, ONNX Runtime session). Then one warm-up call, then ITER
// timed calls of pipe(paths, {top_k: 5}) on the whole list as one batch: each call reads the files,
// decodes them with sharp (RawImage.read), preprocesses (sharp resize, JS rescale/normalize), runs the
// model and post-processes. Wall time and CPU time (process.cpuUsage: user + system of every thread of
// the process — sharp's, libuv's, ONNX Runtime's, JS) per call. THREADS is ONNX Runtime's
// intraOpNumThreads; sharp keeps its defaults (libvips threads = cores, libuv pool of 4).
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [dir, threads, iter, ...images] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const t0 = performance.now();
const pipe = await pipeline("image-classification", path.basename(dir), {
  dtype: "fp32",
  session_options: { intraOpNumThreads: Number(threads), interOpNumThreads: 1 },
});
const load_ms = performance.now() - t0;
const times = [], cpu = [];
let first_call_ms = 0, top = null;
for (let it = -1; it < Number(iter); ++it) {
  const t = performance.now(), c = process.cpuUsage();
  const out = await pipe(images, { top_k: 5 });
  const used = process.cpuUsage(c);
  const wall = performance.now() - t;
  if (it < 0) first_call_ms = wall, top = out[0][0];
  else times.push(wall), cpu.push((used.user + used.system) / 1000);
}
const peak_rss_mb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ images: images.length, load_ms, first_call_ms, times_ms: times, cpu_ms: cpu, top, peak_rss_mb }));
