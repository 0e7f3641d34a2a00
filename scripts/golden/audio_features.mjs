// transformers.js 4.3.1's feature extractors (pinned @huggingface/transformers) on the same raw
// samples: the comparison the audio feature tests report (transformers.js computes the spectrogram
// in float32 and its Whisper path normalizes with log10_max_norm over max_num_frames).
//   node scripts/golden/audio_features.mjs CONFIG.json SAMPLES.f32 OUT.f32
// Prints {"name","shape","seconds"} on stdout; OUT.f32 holds the features, float32, row-major.
import fs from "node:fs";
import { WhisperFeatureExtractor, Wav2Vec2FeatureExtractor, ASTFeatureExtractor } from "@huggingface/transformers";

const [configFile, samplesFile, outFile] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
const bytes = fs.readFileSync(samplesFile);
const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const classes = { WhisperFeatureExtractor, Wav2Vec2FeatureExtractor, ASTFeatureExtractor };
const Extractor = classes[config.feature_extractor_type];
if (!Extractor) throw new Error(`unsupported feature_extractor_type ${config.feature_extractor_type}`);
// transformers.js reads its defaults from the config only: fill in what Python's __init__ defaults.
const defaults = {
  WhisperFeatureExtractor: { feature_size: 80, sampling_rate: 16000, hop_length: 160, chunk_length: 30, n_fft: 400, padding_value: 0.0 },
  Wav2Vec2FeatureExtractor: { feature_size: 1, sampling_rate: 16000, padding_value: 0.0, do_normalize: true, return_attention_mask: false },
  ASTFeatureExtractor: { feature_size: 1, sampling_rate: 16000, num_mel_bins: 128, max_length: 1024, do_normalize: true, mean: -4.2677393, std: 4.5689974 },
}[config.feature_extractor_type];
const full = { ...defaults, ...config };
if (full.chunk_length) {
  full.n_samples = full.chunk_length * full.sampling_rate;
  full.nb_max_frames = full.n_samples / full.hop_length;
}
const fe = new Extractor(full);
const start = performance.now();
const out = await fe(samples);
const seconds = (performance.now() - start) / 1000;
const name = out.input_features ? "input_features" : "input_values";
const tensor = out[name];
fs.writeFileSync(outFile, Buffer.from(new Float32Array(tensor.data).buffer));
console.log(JSON.stringify({ name, shape: tensor.dims, seconds }));
