// transformers.js 4.3.1 generation speed on a local transformers.js folder, measured as
// bench/generate_bench.cc measures ours: greedy, eos suppressed (min_new_tokens), synthetic prompt ids.
//   [WARMUP=0|1] [INTRA_OP_THREADS=N] [ORT_SPINNING=0|1] node bench/transformers_js_generate_bench.mjs MODEL_DIR PROMPT_TOKENS NEW_TOKENS BATCH
// Time to first token = generate() start → the streamer's first put() after the prompt. Beside each
// wall time the process's CPU time over the same span (process.cpuUsage(): every thread), as ours. With WARMUP=1
// (the default) one generate() of the same shapes runs first and prints as phase "warmup", so the
// measured one, like ours, is not charged for the session's first-run costs. INTRA_OP_THREADS=N (N > 0)
// gives ONNX Runtime N intra-op threads (session_options.intraOpNumThreads), as bench_generate does;
// ORT_SPINNING sets session.intra_op.allow_spinning (session_options.extra, which onnxruntime-node
// 1.30 passes to AddConfigEntry).
import path from "node:path";
import { env, AutoModelForCausalLM, Tensor } from "@huggingface/transformers";

const [dir, promptArg, newArg, batchArg] = process.argv.slice(2);
const [prompt, fresh, batch] = [promptArg, newArg, batchArg].map(Number);
const warmup = (process.env.WARMUP ?? "1") !== "0";
const threads = Number(process.env.INTRA_OP_THREADS ?? 0);
const sessionOptions = threads > 0 ? { intraOpNumThreads: threads } : {};
if (process.env.ORT_SPINNING !== undefined)
  sessionOptions.extra = { session: { intra_op: { allow_spinning: process.env.ORT_SPINNING === "0" ? "0" : "1" } } };
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const model = await AutoModelForCausalLM.from_pretrained(path.basename(dir), {
  dtype: "fp32",
  session_options: sessionOptions,
});
const ids = [];
for (let r = 0; r < batch; ++r) for (let k = 0; k < prompt; ++k) ids.push(BigInt(100 + ((k * 7 + r * 13) % 5000)));
const input_ids = new Tensor("int64", BigInt64Array.from(ids), [batch, prompt]);
const attention_mask = new Tensor("int64", new BigInt64Array(batch * prompt).fill(1n), [batch, prompt]);
// CPU time of the process, every thread (getrusage), in seconds.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
async function run(phase) {
  let puts = 0, first = 0, firstCpu = 0;
  const start = performance.now(), startCpu = cpu();
  const streamer = { put() { if (++puts === 2) first = performance.now(), firstCpu = cpu(); }, end() {} };
  await model.generate({ input_ids, attention_mask, max_new_tokens: fresh, min_new_tokens: fresh, do_sample: false, streamer });
  const end = performance.now(), endCpu = cpu();
  const ttft = (first - start) / 1000, rest = (end - first) / 1000;
  console.log(JSON.stringify({ impl: "transformers.js", phase, threads, batch, prompt, new_tokens: fresh, prefill_tok_s: (prompt * batch) / ttft,
    ttft_ms: ttft * 1000, ttft_cpu_ms: (firstCpu - startCpu) * 1000, decode_tok_s: ((fresh - 1) * batch) / rest,
    ms_per_step: (rest * 1000) / (fresh - 1), cpu_ms_per_step: ((endCpu - firstCpu) * 1000) / (fresh - 1),
    wall_s: (end - start) / 1000, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}
if (warmup) await run("warmup");
await run("measured");
