#!/usr/bin/python3
"""Seed corpora for the libFuzzer targets (docs/fuzzing.md), written into OUT/<target>/ from real
files: ../shared/corpus, libonnx-testdata and the repository's fixtures, plus the regression inputs
checked in under fuzz/regressions/<target>/. Small files only (each seed under 1 MB): libFuzzer's
mutations of a small real file reach the same code as the large one.

    fuzz/make_seeds.py OUT_DIR CORPUS_DIR
"""
import base64
import gzip
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

out = pathlib.Path(sys.argv[1])
corpus = pathlib.Path(sys.argv[2])
root = pathlib.Path(__file__).resolve().parent.parent
testdata = pathlib.Path("/usr/share/libonnx-testdata/data")
LIMIT = 1 << 20


def put(target, data):
    if len(data) > LIMIT:
        return
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(base, pattern):
    return sorted(p for p in base.rglob(pattern) if p.is_file()) if base.exists() else []


onnx_files = files(root / "tests/fixtures", "*.onnx") + files(corpus / "models", "*.onnx")
# Every 8th libonnx-testdata model: 134 graphs of every operator family keep the seed set small.
onnx_files += files(testdata, "model.onnx")[::8]
for p in onnx_files:
    data = p.read_bytes()
    for target in ("fuzz_onnx_scan", "fuzz_metadata_reader", "fuzz_quantize_graph"):
        put(target, data)



def self_contained(model_dir):
    """The fixture model with its folder embedded as embed-metadata writes it (metadata schema 2.0: the
    version, the manifest, config.json plain and tokenizer.json gzip+base64 under KEY:compressed), so
    the metadata reader's mutations start past the manifest and into the decoders. None without onnx."""
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load(str(model_dir / "model.onnx"))
    entries, manifest = [("hf_metadata_version", "2.0")], []
    for name, key, compress in (("config.json", "hf_model_config", False), ("tokenizer.json", "hf_tokenizer_json", True)):
        data = (model_dir / name).read_bytes()
        manifest.append({"name": name, "key": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        entries.append((key + ":compressed", base64.b64encode(gzip.compress(data)).decode()) if compress
                       else (key, data.decode("utf-8")))
    entries.append(("hf_manifest", json.dumps({"schema": "2.0", "files": manifest})))
    for key, value in entries:
        model.metadata_props.add(key=key, value=value)
    return model.SerializeToString()


seed = self_contained(root / "tests/fixtures/tiny-text-classifier")
if seed is not None:
    for target in ("fuzz_onnx_scan", "fuzz_metadata_reader"):
        put(target, seed)

for p in files(root / "tests/fixtures", "tokenizer.json") + files(corpus / "tokenizers", "tokenizer.json"):
    put("fuzz_tokenizer_json", p.read_bytes())

texts = []
for name in ("edge_cases.jsonl", "multilingual.jsonl"):
    path = corpus / "text" / name
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in (lines if name == "edge_cases.jsonl" else lines[::400])]
for i, text in enumerate(texts):
    put("fuzz_tokenizer_encode", bytes([i % 251]) + text.encode("utf-8", "surrogatepass"))

for p in files(corpus, "*.model"):
    put("fuzz_legacy_tokenizer", b"\x00" + p.read_bytes())
for p in files(corpus, "vocab.txt"):
    put("fuzz_legacy_tokenizer", b"\x01" + p.read_bytes()[:65536])
for p in files(corpus, "merges.txt"):
    vocab = p.parent / "vocab.json"
    if vocab.exists():
        put("fuzz_legacy_tokenizer", b"\x02" + vocab.read_bytes()[:200000] + b"\x1f" + p.read_bytes()[:65536])

configs = files(corpus, "config.json") + files(corpus, "*_config.json")
for p in configs:
    data = p.read_bytes()
    put("fuzz_configs", data)
    put("fuzz_metadata_value", b"\x00" + data)
    put("fuzz_metadata_value", b"\x01" + base64.b64encode(gzip.compress(data)))
for p in files(corpus, "special_tokens_map.json"):
    tc = p.parent / "tokenizer_config.json"
    if tc.exists():
        put("fuzz_configs", tc.read_bytes() + b"\x1f" + p.read_bytes())

for p in files(root / "tests/fixtures/chat_templates", "*.jinja"):
    put("fuzz_chat_template", p.read_bytes())
for p in files(corpus, "tokenizer_config.json"):
    template = json.loads(p.read_text(encoding="utf-8")).get("chat_template")
    if isinstance(template, str):
        put("fuzz_chat_template", template.encode("utf-8"))

for p in files(corpus / "media/images", "*"):
    put("fuzz_image", p.read_bytes())

# generation_config.json with its config.json (the first byte picks the task), and config.json alone
# (generation keys and task_specific_params without a generation_config.json).
for i, p in enumerate(files(corpus, "generation_config.json")):
    config = p.parent / "config.json"
    put("fuzz_generation_config", bytes([i % 5]) + p.read_bytes() + b"\x1f" + (config.read_bytes() if config.exists() else b""))
for i, p in enumerate(files(corpus / "models", "config.json")):
    put("fuzz_generation_config", bytes([i % 5]) + b"\x1f" + p.read_bytes())

# preprocessor_config.json: the corpus files and the image processors' and feature extractors' types
# with their Hub defaults written out by the tests.
for p in files(corpus, "preprocessor_config.json"):
    put("fuzz_preprocessor_config", p.read_bytes())
for kind in ("ViT", "DeiT", "Beit", "ConvNext", "CLIP", "Siglip", "Detr", "Yolos", "Segformer"):
    put("fuzz_preprocessor_config", json.dumps({"image_processor_type": kind + "ImageProcessor"}).encode())
for config in (
        {"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 80, "sampling_rate": 16000,
         "hop_length": 160, "chunk_length": 30, "n_fft": 400, "padding_value": 0.0, "return_attention_mask": True},
        {"feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1, "sampling_rate": 16000,
         "do_normalize": True, "padding_value": 0.0, "return_attention_mask": True},
        {"feature_extractor_type": "ASTFeatureExtractor", "feature_size": 1, "num_mel_bins": 128, "max_length": 1024,
         "sampling_rate": 16000, "do_normalize": True, "mean": -4.27, "std": 4.57}):
    put("fuzz_preprocessor_config", json.dumps(config).encode())

# Audio: the corpus recordings' first 64 KB (headers and the first frames), and 0.2 s tones the ffmpeg
# CLI encodes in every format the decoder is tested on.
for p in files(corpus / "media/audio", "*"):
    put("fuzz_audio", p.read_bytes()[:65536])
if shutil.which("ffmpeg"):
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in (("u8.wav", ["-c:a", "pcm_u8"]), ("s16.wav", ["-c:a", "pcm_s16le"]),
                           ("s24.wav", ["-c:a", "pcm_s24le"]), ("f32.wav", ["-c:a", "pcm_f32le"]),
                           ("x.flac", []), ("x.ogg", ["-c:a", "libvorbis"]), ("x.opus", []), ("x.mp3", []),
                           ("stereo44k.wav", ["-ac", "2", "-ar", "44100"]), ("x.aiff", []), ("x.au", [])):
            out_file = pathlib.Path(tmp) / name
            subprocess.run(["ffmpeg", "-v", "quiet", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", *args,
                            str(out_file)], check=False)
            if out_file.exists():
                put("fuzz_audio", out_file.read_bytes())

for d in sorted((root / "fuzz/regressions").glob("*")):
    for p in sorted(d.iterdir()):
        put(d.name, p.read_bytes())

for d in sorted(out.iterdir()):
    print(f"{d.name}: {sum(1 for _ in d.iterdir())} seeds")
