// Measures which ONNX ops the ONNX Runtime builds we ship against can run, by asking each build to
// create a session for one-node models: every model of libonnx-testdata's node tests
// (/usr/share/libonnx-testdata/data/node/*/model.onnx, one op each) plus the com.microsoft ops
// quantize writes (one-node models made by scripts/kernels/make_contrib_models.py). An op is listed for a build when at least one of its models loads there.
//   /usr/bin/python3 scripts/kernels/make_contrib_models.py /tmp/contrib
//   node scripts/kernels/measure_kernels.mjs OUT_DIR /tmp/contrib
// Writes OUT_DIR/onnxruntime-node-VERSION-cpu.txt and OUT_DIR/onnxruntime-web-VERSION-wasm.txt.
// onnxruntime-web's WASM backend runs here in Node: the same .wasm Chromium loads.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const require = createRequire(path.join(root, "package.json"));
const [outDir, contribDir] = process.argv.slice(2);
const nodeOrt = require("onnxruntime-node");
// The build transformers.js' browser bundle imports (onnxruntime-web/webgpu): its WASM backend is the
// asyncify .wasm, which differs from the plain WASM build (ort.wasm.min.mjs) in its kernels.
const webOrt = await import(path.join(root, "node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs"));
webOrt.env.wasm.numThreads = 1;
webOrt.env.logLevel = "fatal";
nodeOrt.env.logLevel = "fatal";

const testdata = "/usr/share/libonnx-testdata/data/node";
const models = [];
for (const d of fs.readdirSync(testdata).sort()) {
  const f = path.join(testdata, d, "model.onnx");
  if (fs.existsSync(f)) models.push(f);
}
const contrib = contribDir;
if (contrib) for (const f of fs.readdirSync(contrib).sort()) models.push(path.join(contrib, f));

// The op (domain:op_type) of a one-node model, read with a minimal protobuf walk: ModelProto.graph
// (7) → GraphProto.node (1) → NodeProto.op_type (4), domain (7).
function varint(b, p) {
  let v = 0, s = 0;
  for (;;) { const x = b[p.i++]; v += (x & 0x7f) * 2 ** s; s += 7; if (x < 0x80) return v; }
}
function fields(b, start, end, cb) {
  const p = { i: start };
  while (p.i < end) {
    const key = varint(b, p), f = Math.floor(key / 8), t = key & 7;
    if (t === 0) varint(b, p);
    else if (t === 1) p.i += 8;
    else if (t === 5) p.i += 4;
    else if (t === 2) { const n = varint(b, p); cb(f, p.i, p.i + n); p.i += n; }
    else throw new Error("wire type " + t);
  }
}
function opsOf(file) {
  const b = fs.readFileSync(file), ops = [];
  fields(b, 0, b.length, (f, s, e) => {
    if (f !== 7) return;
    fields(b, s, e, (gf, gs, ge) => {
      if (gf !== 1) return;
      let op = "", domain = "";
      fields(b, gs, ge, (nf, ns, ne) => {
        if (nf === 4) op = b.toString("utf8", ns, ne);
        if (nf === 7) domain = b.toString("utf8", ns, ne);
      });
      ops.push(`${domain === "ai.onnx" ? "" : domain}:${op}`);
    });
  });
  return ops;
}

const seen = new Set(), cpu = new Set(), wasm = new Set();
for (const f of models) {
  const ops = opsOf(f);
  if (ops.length !== 1) continue;  // node tests that expand to a function body
  const op = ops[0];
  seen.add(op);
  const bytes = fs.readFileSync(f);
  try { await (await nodeOrt.InferenceSession.create(bytes, { logSeverityLevel: 4 })).release(); cpu.add(op); } catch {}
  try { await (await webOrt.InferenceSession.create(bytes, { executionProviders: ["wasm"], logSeverityLevel: 4 })).release(); wasm.add(op); } catch {}
}
const header = (build, how) =>
  `# ${build}: the ONNX ops (domain:op_type; an empty domain is ai.onnx) it creates a session for.\n` +
  `# Produced by scripts/kernels/measure_kernels.mjs on ${new Date().toISOString().slice(0, 10)}: ${how}\n` +
  `# ${models.length} one-node models (libonnx-testdata's node tests and scripts/kernels/make_contrib_models.py) over ${seen.size} ops;\n` +
  `# an op is listed when at least one of its models loads. Ops no model covers are not judged.\n`;
const write = (name, build, how, set) => {
  const lines = [...seen].sort().map((op) => (set.has(op) ? op : `!${op}`));
  fs.writeFileSync(path.join(outDir, name), header(build, how) + "# A line '!op' means: tested, no kernel.\n" + lines.join("\n") + "\n");
};
const webVersion = JSON.parse(fs.readFileSync(path.join(root, "node_modules/onnxruntime-web/package.json"))).version;
write(`onnxruntime-node-${nodeOrt.env.versions.common}-cpu.txt`, `onnxruntime-node ${nodeOrt.env.versions.common} (CPU)`,
  "InferenceSession.create in Node.", cpu);
write(`onnxruntime-web-${webVersion}-wasm.txt`, `onnxruntime-web ${webVersion} (WASM backend)`,
  "InferenceSession.create with executionProviders ['wasm'] in Node, from ort.webgpu.bundle.min.mjs (the build and .wasm transformers.js 4.3.1 runs in Chromium).", wasm);
console.log(`ops ${seen.size}: cpu ${cpu.size}, wasm ${wasm.size}`);
