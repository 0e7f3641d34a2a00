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
import sys

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

for d in sorted((root / "fuzz/regressions").glob("*")):
    for p in sorted(d.iterdir()):
        put(d.name, p.read_bytes())

for d in sorted(out.iterdir()):
    print(f"{d.name}: {sum(1 for _ in d.iterdir())} seeds")
