// The browser suite: transformers.js 4.3.1's browser bundle in headless Chromium (puppeteer-core)
// on onnxruntime-web's WASM and WebGPU backends, against our C++ runtime on the same files.
//   node tests/browser/browser_test.mjs CLI TASK_MODELS WORK_DIR [DECODER_MODELS] [AUDIO_MODELS] [IMAGE_MODELS]
// (DECODER_MODELS, AUDIO_MODELS, IMAGE_MODELS: the decoder_models, audio_models and image_models
// fixtures' folders; their rows are skipped, saying so, when a folder is absent or empty.)
// For every row of CASES and every dtype it writes the transformers.js layout with
// `modelexport unpack` (fp32) and `modelexport quantize --layout transformers.js` (the others),
// runs `modelexport run FILE --json` on each file, serves the folders on 127.0.0.1 (ephemeral port)
// and runs the same pipeline in Chromium, one browser with one page per device ('wasm' and 'webgpu',
// side by side), each model and dtype loaded once per device. Each result must equal ours within the
// dtype's tolerance, or be one of the EXPECTED_REFUSALS, asserted by its message.
// The test calls each pipeline once per input (parity needs no more, and text-generation makes 3
// tokens). BROWSER_BENCH=1 (bench/browser.sh) makes it a benchmark: 5 more calls for the median and
// 16 generated tokens for tokens/s. Timings (load, first call, median call, tokens/s) are written to
// WORK_DIR/browser_timings.json; each case's wall time is printed.
// Exit 0 all passed, 1 a failure, 77 skipped (no Chromium, or no task models).
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const [cli, taskModels, work, decoderModels, audioModels, imageModels] = process.argv.slice(2);
const corpus = process.env.MODELEXPORT_CORPUS ?? path.join(root, "../shared/corpus");
const SKIP = 77;
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ONLY = process.env.BROWSER_TEST_ONLY ? new RegExp(process.env.BROWSER_TEST_ONLY) : null;
const BENCH = process.env.BROWSER_BENCH === "1";
// Generated tokens: 3 for parity (the prefill's token and two cached steps), 16 for tokens/s.
const NEW_TOKENS = BENCH ? 16 : 3;

if (!fs.existsSync(chromium)) {
  console.log(`browser tests: skipped, no Chromium at ${chromium} (set CHROMIUM, or apt-get install chromium)`);
  process.exit(SKIP);
}

if (!fs.existsSync(path.join(root, "node_modules/puppeteer-core")) || !fs.existsSync(path.join(root, "node_modules/onnxruntime-web"))) {
  console.log("browser tests: skipped, node_modules lacks puppeteer-core or onnxruntime-web (scripts/setup.sh installs them)");
  process.exit(SKIP);
}

const sentences = ["My name is Wolfgang and I live in Berlin.", "I love this movie!", "a"];

// One row per model: the task, the self-contained model (a task_models file, or a folder embedded
// here), the inputs, the options for both sides (`args` for `modelexport run`, `options` for the
// pipeline call), the dtypes (default all), extra `quantize` arguments and the refusals expected on
// this row alone. A task from another issue (text-generation, images, audio) is one more row.
const CASES = [
  // K = 16 is below the default block of 32, which the transformers.js layout's webgpu target refuses
  // for MatMulNBits (quantize/targets.h): block 16 quantizes it.
  { name: "text-classification", task: "text-classification", source: path.join(root, "tests/fixtures/tiny-text-classifier"),
    inputs: sentences, args: ["--top-k", "2"], options: { top_k: 2 }, quantizeArgs: ["--block-size", "16"] },
  { name: "feature-extraction", task: "feature-extraction", model: "feature-extraction", inputs: sentences,
    args: [], options: { pooling: "mean", normalize: true } },
  { name: "token-classification", task: "token-classification", model: "token-classification", inputs: sentences,
    args: [], options: {} },
  // GatherBlockQuantized written for webgpu alone: the WASM backend lacks it, which is why the
  // transformers.js layout's default targets (wasm + webgpu) keep the embeddings' Gather as it is.
  { name: "feature-extraction-embeddings-webgpu", task: "feature-extraction", model: "feature-extraction", inputs: sentences,
    args: [], options: { pooling: "mean", normalize: true }, dtypes: ["q4"],
    quantizeArgs: ["--quantize-embeddings", "--target", "webgpu"],
    refusals: [{ device: "wasm", dtypes: ["q4"], when: () => true,
      message: /Could not find an implementation for GatherBlockQuantized/ }] },
  // ... and with the layout's default targets (wasm + webgpu) the same options give a file both
  // backends load: the Gather is kept.
  { name: "feature-extraction-embeddings", task: "feature-extraction", model: "feature-extraction", inputs: sentences,
    args: [], options: { pooling: "mean", normalize: true }, dtypes: ["q4"], quantizeArgs: ["--quantize-embeddings"] },
  // A generated llama-like decoder (decoder_models fixture): greedy text of both sides equal (the
  // pipeline's text is the prompt plus the decoded new tokens), min_new_tokens = max_new_tokens so
  // every call makes the same number of tokens, which gives tokens/s.
  // Random weights give near-tied logits, so greedy tokens are exact only where both sides compute
  // the same sums: q4 at accuracy level 0 (at level 4 ORT's CPU MatMulNBits quantizes activations to
  // int8 and the first token already differs from WASM's), and q8 on WASM only (WebGPU's per-tensor
  // DynamicQuantizeLinear rounds a scale differently: measured, token 6 of 16 differs). WebGPU on
  // SwiftShader makes 0.1-0.5 tokens/s under load (measured), so the test makes NEW_TOKENS = 3 and
  // the benchmark's WebGPU generation times only its first call.
  { name: "text-generation", task: "text-generation", fixture: "decoder", model: "llama",
    inputs: ["Hello, my name is"], newTokens: NEW_TOKENS, repeats: { wasm: 5, webgpu: 0 },
    args: ["--max-new-tokens", `${NEW_TOKENS}`, "--min-new-tokens", `${NEW_TOKENS}`],
    options: { max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false },
    quantizeArgs: ["--accuracy-level", "0"], skip: [{ device: "webgpu", dtypes: ["q8"],
      why: "per-tensor dynamic quantization on WebGPU diverges from ORT CPU's greedy tokens (measured)" }] },
  // Audio (audio_models fixture) on the corpus' recordings, decoded once by the ffmpeg CLI (16 kHz
  // mono f32, bit-identical to our decoder) and given to the browser as samples; ours reads the file.
  { name: "audio-classification", task: "audio-classification", fixture: "audio", model: "wav2vec2-cls",
    audio: ["jfk.wav"], args: ["--top-k", "3"], options: { top_k: 3 },
    quantizeArgs: ["--block-size", "16"] },  // K = 16, as the text classifier's
  { name: "audio-classification-ast", task: "audio-classification", fixture: "audio", model: "ast",
    audio: ["jfk.wav"], args: ["--top-k", "3"], options: { top_k: 3 } },
  // CTC (argmax ids: exact only where both sides compute the same sums, as for text-generation above):
  // Python's rule (ours) keeps the pad token to split repeats, transformers.js drops it before
  // collapsing them, so the texts may differ: each side's text must be its own rule applied to the
  // browser's argmax ids (page.html's ctcIds), and our text Python's rule on them.
  { name: "ctc-speech-recognition", task: "automatic-speech-recognition", fixture: "audio", model: "ctc",
    audio: ["jfk.wav"], args: [], options: {}, ctc: true,
    quantizeArgs: ["--block-size", "16", "--accuracy-level", "0"] },  // level 0: see text-generation
  // Images (image_models fixture: the ViT-shaped classifier, 224x224 bilinear). transformers.js in the
  // browser decodes with the canvas (createImageBitmap + getImageData), ours as Pillow does: both get
  // the same pixels from a PNG (lossless, no colour chunks, written here by Pillow from the corpus'
  // 224x224 cat photo) whose size is the processor's, so neither side resizes (transformers.js 4.3.1's
  // RawImage.resize returns the image as it is at its own size). The test asserts that: the browser
  // processor's pixel_values equal `modelexport preprocess`'s within float32 rounding.
  { name: "image-classification", task: "image-classification", fixture: "image", model: "vit-cls",
    images: ["cat_224x224.jpg"], args: ["--top-k", "3"], options: { top_k: 3 },
    quantizeArgs: ["--block-size", "16"] },  // K = 16, as the text classifier's
];

// transformers.js' file suffix per dtype, and the largest absolute difference allowed between
// onnxruntime-web's result and onnxruntime-node's (our C++ runtime) on the same file: the kernels
// differ (WASM SIMD / WebGPU shaders vs MLAS), the graph and weights do not.
const DTYPES = {
  fp32: { suffix: "", tolerance: 1e-4 },
  fp16: { suffix: "_fp16", tolerance: 1e-2 },
  q8: { suffix: "_quantized", tolerance: 2e-2 },
  // MatMulNBits' accuracy_level 4 lets ONNX Runtime's CPU kernel quantize activations to int8, which
  // onnxruntime-web's kernels do not (they agree with each other to 1e-7): measured up to 9.9e-3 on the
  // random-weight task models.
  q4: { suffix: "_q4", tolerance: 3e-2 },
  q4f16: { suffix: "_q4f16", tolerance: 3e-2 },
};
const DEVICES = ["wasm", "webgpu"];

// What onnxruntime-web cannot do here, by message: an adapter without shader-f16 (SwiftShader's)
// refuses float16 models. `when` says on which adapter the refusal is expected; where it is not, the
// case must pass, and where it is but the case runs, the test fails saying so.
const EXPECTED_REFUSALS = [
  { device: "webgpu", dtypes: ["fp16", "q4f16"], when: (adapter) => !adapter.features?.includes("shader-f16"),
    message: /does not support fp16|requires f16|shader-f16/i },
];

async function sh(args) {
  return (await promisify(execFile)(cli, args, { encoding: "utf8", maxBuffer: 64 << 20 })).stdout;
}

// --- models ---------------------------------------------------------------------------------------
const modelsDir = path.join(work, "models");
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(modelsDir, { recursive: true });
const rows = [];
const FIXTURES = { decoder: decoderModels, audio: audioModels, image: imageModels };
const mediaDir = path.join(work, "media");
fs.mkdirSync(mediaDir, { recursive: true });
const PIXEL_TOLERANCE = 1e-6;  // float32 rounding of rescale and normalize on the same bytes
const skippedRows = [];
const started = performance.now();
const since = (t) => ((performance.now() - t) / 1000).toFixed(1);
// The folder is Hub-ready: its README.md model card has the front matter and one section per
// quantized file (include/modelexport/metadata/model_card.h).
function checkModelCard(c, dir, dtypes) {
  const card = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  const want = ["---\nlibrary_name: transformers.js\n", `\npipeline_tag: ${c.task}\n`, "\n- onnx\n",
    ...dtypes.filter((d) => d !== "fp32").map((d) => `## \`onnx/model${DTYPES[d].suffix}.onnx\` (dtype ${d})`)];
  const missing = want.filter((w) => !card.includes(w));
  if (missing.length) throw new Error(`${c.name}: ${dir}/README.md lacks ${JSON.stringify(missing)}`);
}

// Writes a row's files and runs ours on them; returns one entry per dtype ([] when skipped).
async function prepare(c) {
  const rowStart = performance.now();
  if (ONLY && !DEVICES.some((d) => (c.dtypes ?? Object.keys(DTYPES)).some((t) => ONLY.test(`${c.name} ${t} ${d}`)))) return [];
  let onnx;
  if (c.fixture) {
    onnx = FIXTURES[c.fixture] ? path.join(FIXTURES[c.fixture], `${c.model}.onnx`) : "";
    const missing = !onnx || !fs.existsSync(onnx) ? `no ${c.fixture} fixture model ${onnx || "(folder not given)"}`
      : c.audio && !fs.existsSync(path.join(corpus, "media/audio")) ? `no corpus recordings in ${corpus}/media/audio`
      : c.images && !fs.existsSync(path.join(corpus, "media/images")) ? `no corpus images in ${corpus}/media/images` : null;
    if (missing) {
      console.log(`${c.name}: skipped, ${missing}`);
      skippedRows.push(c.name);
      return [];
    }
    if (c.audio) {
      // The same samples for both sides: ours decodes the file, the browser gets ffmpeg's decode of it.
      const files = c.audio.map((f) => path.join(corpus, "media/audio", f));
      c.inputs = files;
      c.samples = files.map((f) => {
        const raw = execFileSync("ffmpeg", ["-v", "error", "-i", f, "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
          { maxBuffer: 256 << 20 });
        return Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4));
      });
    }
    if (c.images) {
      // The same pixels for both sides: a PNG of the photo, read by our decoder and by the canvas.
      c.inputs = c.images.map((f) => {
        const png = path.join(mediaDir, f.replace(/\.[a-z]+$/, ".png"));
        execFileSync("/usr/bin/python3", ["-c", "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').save(sys.argv[2])",
          path.join(corpus, "media/images", f), png]);
        return png;
      });
      c.urls = c.inputs.map((f) => "/media/" + path.basename(f));
      c.pixelValues = (await sh(["preprocess", onnx, ...c.inputs, "--json"])).trim().split("\n").map((l) => JSON.parse(l).pixel_values.data);
    }
  } else if (c.source) {
    onnx = path.join(work, `${c.name}.onnx`);
    await sh(["embed-metadata", path.join(c.source, "model.onnx"), c.source, "-o", onnx, "-q"]);
  } else {
    onnx = path.join(taskModels, `${c.model}.onnx`);
    if (!fs.existsSync(onnx)) {
      console.log(`browser tests: skipped, no task models in ${taskModels} (the task_models fixture needs the corpus)`);
      process.exit(SKIP);
    }
  }
  const dir = path.join(modelsDir, c.name);
  await sh(["unpack", onnx, dir, "--layout", "transformers.js", "-q"]);
  const dtypes = c.dtypes ?? Object.keys(DTYPES);
  for (const dtype of dtypes) {
    if (dtype === "fp32") continue;
    await sh(["quantize", onnx, "--layout", "transformers.js", dir, "--dtype", dtype, "-q", ...(c.quantizeArgs ?? [])]);
  }
  checkModelCard(c, dir, dtypes);
  const out = [];
  for (const dtype of dtypes) {
    const file = path.join(dir, "onnx", `model${DTYPES[dtype].suffix}.onnx`);
    const expected = (await sh(["run", file, ...c.inputs, "--json", ...c.args])).trim().split("\n").map((l) => JSON.parse(l));
    out.push({ ...c, dtype, file, expected });
  }
  console.log(`${c.name}: files written and run by ours in ${since(rowStart)} s`);
  return out;
}
// Two rows at a time (a row's own steps write one folder, so they stay in order).
const prepared = [];
let nextCase = 0;
await Promise.all([0, 1].map(async () => {
  while (nextCase < CASES.length) {
    const i = nextCase++;
    prepared[i] = await prepare(CASES[i]);
  }
}));
rows.push(...prepared.flat());
console.log(`browser tests: every file written and run by ours in ${since(started)} s`);

// --- server ---------------------------------------------------------------------------------------
const MOUNTS = {
  "/models/": modelsDir,
  "/media/": mediaDir,
  "/tjs/": path.join(root, "node_modules/@huggingface/transformers/dist"),
  "/ort/": path.join(root, "node_modules/onnxruntime-web/dist"),
};
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".json": "application/json", ".png": "image/png" };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = null;
  if (url === "/" || url === "/index.html") file = path.join(here, "page.html");
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (url.startsWith(prefix)) {
      const f = path.resolve(dir, "." + url.slice(prefix.length - 1));
      if (f.startsWith(dir + path.sep)) file = f;
    }
  }
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
// Each device's page on its own site (127.0.0.1 and localhost, both this server), so that Chromium
// gives each its own renderer process and main thread and the two run at the same time.
const ORIGINS = { wasm: origin, webgpu: `http://localhost:${server.address().port}` };

// --- browser --------------------------------------------------------------------------------------
const { default: puppeteer } = await import(path.join(root, "node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js"));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "modelexport-chromium-"));
let browser;
const cleanup = async () => {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
};
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => cleanup().finally(() => process.exit(130)));

// Numbers within tol, everything else (keys, their order, strings, lengths) identical. Keys only we
// print (token-classification's start/end, which transformers.js 4.3.1 lacks) are not compared.
function compare(js, ours, tol, where) {
  if (typeof js === "number" && typeof ours === "number") {
    const d = Math.abs(js - ours);
    return d <= tol ? { max: d } : { error: `${where}: ${js} vs ours ${ours} (|diff| ${d} > ${tol})` };
  }
  if (Array.isArray(js) || Array.isArray(ours)) {
    if (!Array.isArray(js) || !Array.isArray(ours) || js.length !== ours.length)
      return { error: `${where}: array ${JSON.stringify(js)?.slice(0, 80)} vs ours ${JSON.stringify(ours)?.slice(0, 80)}` };
    let max = 0;
    for (let i = 0; i < js.length; ++i) {
      const r = compare(js[i], ours[i], tol, `${where}[${i}]`);
      if (r.error) return r;
      max = Math.max(max, r.max);
    }
    return { max };
  }
  if (js && typeof js === "object" && ours && typeof ours === "object") {
    let max = 0;
    for (const k of Object.keys(js)) {
      if (!(k in ours)) return { error: `${where}: key ${k} missing in ours` };
      const r = compare(js[k], ours[k], tol, `${where}.${k}`);
      if (r.error) return r;
      max = Math.max(max, r.max);
    }
    return { max };
  }
  return js === ours ? { max: 0 } : { error: `${where}: ${JSON.stringify(js)} vs ours ${JSON.stringify(ours)}` };
}

// CTC decoding of argmax ids by both rules, as tests/runtime/audio_pipeline_test.cc writes them out:
// Python transformers v4.57 Wav2Vec2CTCTokenizer.decode(skip_special_tokens=True) skips the special
// tokens other than the pad, collapses repeats (the pad still separates them), then removes the pad;
// transformers.js 4.3.1 removes the pad first. "|" becomes a space; the text is stripped.
function ctcText(ids, vocab, dropPadFirst) {
  const pad = vocab.indexOf("<pad>");
  const special = new Set(["<s>", "</s>", "<unk>"].map((t) => vocab.indexOf(t)));
  const kept = ids.filter((i) => !special.has(i) && !(dropPadFirst && i === pad));
  const text = kept.filter((id, k) => (k === 0 || id !== kept[k - 1]) && id !== pad)
    .map((i) => (vocab[i] === "|" ? " " : vocab[i])).join("");
  return text.replace(/^ +| +$/g, "");
}
const vocabs = new Map();
function vocabOf(row) {
  if (!vocabs.has(row.name)) {
    const tok = JSON.parse(fs.readFileSync(path.join(modelsDir, row.name, "tokenizer.json"), "utf8"));
    const v = [];
    for (const [t, i] of Object.entries(tok.model.vocab)) v[i] = t;
    vocabs.set(row.name, v);
  }
  return vocabs.get(row.name);
}
function compareCtc(r, row, vocab) {
  for (let k = 0; k < row.inputs.length; ++k) {
    const ids = r.ids[k];
    const python = ctcText(ids, vocab, false), tjs = ctcText(ids, vocab, true);
    const ours = String(row.expected[k].text ?? "").trim(), js = String(r.outputs[k].text ?? "").trim();
    if (ours !== python) return { error: `input ${k}: ours "${ours}" is not Python's rule on the browser's ids "${python}"` };
    if (js !== tjs) return { error: `input ${k}: the browser's "${js}" is not transformers.js' rule on its ids "${tjs}"` };
    if (!ours) return { error: `input ${k}: empty transcription` };
  }
  return { max: 0 };
}

let failures = 0;
const timings = [];
// The browser's pixel_values against ours: identical pixels in, so only float32 rounding may differ.
function comparePixels(r, row) {
  let max = 0;
  for (let k = 0; k < row.pixelValues.length; ++k) {
    const js = r.pixels[k], ours = row.pixelValues[k];
    if (js.length !== ours.length) return { error: `input ${k}: pixel_values has ${js.length} values, ours ${ours.length}` };
    for (let i = 0; i < js.length; ++i) max = Math.max(max, Math.abs(js[i] - ours[i]));
    if (max > PIXEL_TOLERANCE) return { error: `input ${k}: pixel_values differ from ours by ${max} (> ${PIXEL_TOLERANCE}): not the same pixels` };
  }
  return { max };
}

// One page per device, both devices side by side; each page runs the rows in order.
async function runDevice(device, adapter) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.log(`page error (${device}): ${e.message}`));
  // One page for every row: after an error page.html starts over with a new transformers.js instance.
  await page.goto(`${ORIGINS[device]}/`, { timeout: 120_000 });
  await page.waitForFunction("window.ready === true", { timeout: 120_000, polling: 100 });  // not rAF: no frames while the GPU process is busy
  for (const row of rows) {
    const name = `${row.name} ${row.dtype} ${device}`;
    if (ONLY && !ONLY.test(name)) continue;
    const skip = (row.skip ?? []).find((k) => k.device === device && k.dtypes.includes(row.dtype));
    if (skip) {
      console.log(`${name}: not run: ${skip.why}`);
      continue;
    }
    const caseStart = performance.now();
    const refusal = [...EXPECTED_REFUSALS, ...(row.refusals ?? [])].find((r) => r.device === device && r.dtypes.includes(row.dtype) && r.when(adapter));
    const repeats = !BENCH ? 0 : typeof row.repeats === "object" ? row.repeats[device] : row.repeats ?? 5;
    const r = await page.evaluate((c) => window.runCase(c), {
      task: row.task, model: row.name, dtype: row.dtype, device, inputs: row.samples ?? row.urls ?? row.inputs,
      options: row.options, repeats, audio: !!row.samples, image: !!row.urls, ids: !!row.ctc,
    });
    let verdict;
    if (r.error) {
      if (refusal && refusal.message.test(r.error)) verdict = `refused as expected: ${r.error.split("\n")[0].slice(0, 120)}`;
      else { verdict = `FAIL: ${r.error.slice(0, 400)}`; ++failures; }
    } else if (refusal) {
      verdict = `FAIL: expected a refusal matching ${refusal.message} but it ran: update EXPECTED_REFUSALS`;
      ++failures;
    } else {
      let cmp = row.pixelValues ? comparePixels(r, row) : { max: 0 };
      const pixels = cmp.error ? "" : row.pixelValues ? `pixel_values max |diff| ${cmp.max.toExponential(2)}; ` : "";
      if (!cmp.error) cmp = row.ctc ? compareCtc(r, row, vocabOf(row)) : compare(r.outputs, row.expected, DTYPES[row.dtype].tolerance, "result");
      const tps = row.newTokens && repeats ? row.newTokens / (r.median_ms / 1000) : row.newTokens ? row.newTokens / (r.first_ms / 1000) : null;
      if (cmp.error) { verdict = `FAIL: ${cmp.error}`; ++failures; }
      else verdict = `ok (${pixels}max |diff| ${cmp.max.toExponential(2)}; load ${r.load_ms.toFixed(0)} ms, first ${r.first_ms.toFixed(1)} ms` +
        `${repeats ? `, median ${r.median_ms.toFixed(1)} ms` : ""}${tps ? `, ${tps.toFixed(1)} tokens/s${repeats ? "" : " (first call)"}` : ""})`;
      timings.push({ model: row.name, task: row.task, dtype: row.dtype, device, load_ms: r.load_ms, first_ms: r.first_ms,
        median_ms: repeats ? r.median_ms : null, max_abs_diff: cmp.max ?? null,
        ...(tps ? { new_tokens: row.newTokens, tokens_per_s: tps, tokens_per_s_from: repeats ? "median" : "first call" } : {}) });
    }
    console.log(`${name}: ${verdict} [${since(caseStart)} s, done at ${since(started)} s]`);
  }
  await page.close();
}

try {
  browser = await puppeteer.launch({
    executablePath: chromium,
    userDataDir: profile,
    // The two pages run side by side: neither may be throttled as a background tab.
    args: ["--headless=new", "--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
    headless: true,
    protocolTimeout: 600_000,  // a loaded 2-core machine: WebGPU's first call compiles shaders on the CPU
  });
  const probe = await browser.newPage();
  await probe.goto(`${origin}/`, { timeout: 120_000 });
  await probe.waitForFunction("window.ready === true", { timeout: 120_000, polling: 100 });
  const adapter = await probe.evaluate(() => window.adapterInfo());
  await probe.close();
  console.log(`WebGPU adapter: ${JSON.stringify(adapter)}`);
  const browserStart = performance.now();
  await Promise.all(DEVICES.map((device) => runDevice(device, adapter)));
  console.log(`browser tests: both devices in ${since(browserStart)} s`);
  timings.sort((a, b) => rows.findIndex((r) => r.name === a.model && r.dtype === a.dtype) - rows.findIndex((r) => r.name === b.model && r.dtype === b.dtype)
    || DEVICES.indexOf(a.device) - DEVICES.indexOf(b.device));
  fs.writeFileSync(path.join(work, "browser_timings.json"), JSON.stringify({ adapter, bench: BENCH, timings }, null, 1) + "\n");
} catch (e) {
  console.log(`browser tests: ${e.stack ?? e}`);
  ++failures;
} finally {
  await cleanup();
}
if (skippedRows.length) console.log(`browser tests: rows skipped (fixture or corpus missing): ${skippedRows.join(", ")}`);
console.log(`browser tests: ${since(started)} s in all`);
console.log(failures ? `browser tests: ${failures} failed` : "browser tests: all passed");
process.exit(failures ? 1 : 0);
