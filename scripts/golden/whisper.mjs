// transformers.js (pinned @huggingface/transformers 4.3.1) Whisper speech recognition on a local model
// folder in the transformers.js layout, given the same decoded samples our pipeline gets
// (transformers.js cannot decode audio files in Node).
//   node scripts/golden/whisper.mjs MODEL_DIR CASES.jsonl
// CASES lines: {"samples": "file of float32 LE samples at 16 kHz", "options": {pipeline options:
// return_timestamps, language, task, chunk_length_s, stride_length_s}}. Prints one JSON line per
// case: {"samples", "options", "out": the automatic-speech-recognition pipeline's result, "ids": the
// greedy ids of model.generate() on the processor's features with the same language/task/timestamp
// options (decoder prompt included), null for chunked cases (the pipeline generates per chunk),
// "language_out": for those ids, the tokenizer's _decode_asr with return_language true (Python's
// return_language, which transformers.js' pipeline does not pass on): {"text", "chunks": [{"language",
// ["timestamp",] "text"}]}}. Language names and tokens ("French", "<|fr|>") are transformers.js'
// whisper_language_to_code, as Python's generate takes them.
// For return_timestamps the generate() call passes max_new_tokens (448 - prompt length, what the
// model's max_length allows) so that transformers.js runs one pass as Python's short-form generate
// does, not its seek loop.
import fs from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const [dir, casesFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + "/";
const pipe = await pipeline("automatic-speech-recognition", path.basename(dir), { dtype: "fp32" });
const cases = fs.readFileSync(casesFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const c of cases) {
  const bytes = fs.readFileSync(c.samples);
  const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const options = c.options ?? {};
  // transformers.js 4.3.1 throws when a chunk has no text token to decode ("token_ids must be a
  // non-empty array"); the error is recorded instead.
  let out;
  try {
    out = await pipe(samples, { ...options });
  } catch (e) {
    out = { error: String(e.message ?? e) };
  }
  let ids = null;
  if (!options.chunk_length_s) {
    const features = await pipe.processor(samples);
    const gen = { inputs: features.input_features };
    if (options.language) gen.language = options.language;
    if (options.task) gen.task = options.task;
    if (options.return_timestamps) {
      gen.return_timestamps = true;
      const prompt = pipe.model._retrieve_init_tokens({ ...pipe.model.generation_config, ...gen });
      gen.max_new_tokens = 448 - prompt.length;
    }
    ids = (await pipe.model.generate(gen)).tolist()[0].map(Number);
  }
  let language_out = null;
  if (ids) {
    const time_precision = pipe.processor.feature_extractor.config.chunk_length / pipe.model.config.max_source_positions;
    try {
      const [text, optional] = pipe.tokenizer._decode_asr([{ tokens: ids, stride: [samples.length / 16000, 0, 0] }], {
        time_precision,
        return_timestamps: !!options.return_timestamps,
        return_language: true,
        force_full_sequences: false,
      });
      language_out = { text, ...optional };
    } catch (e) {
      language_out = { error: String(e.message ?? e) };  // as above: no text token to decode
    }
  }
  console.log(JSON.stringify({ samples: path.basename(c.samples), options, out, ids, language_out }));
}
