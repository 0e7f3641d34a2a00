#!/usr/bin/python3
"""Soak (issue 17): one process runs pipelines over many inputs and its RSS must stay flat.

Loops, in one Python process over the C++ library (the build tree's package): text-classification
on the tiny fixture (single texts and batches of 8), tokenizer encode/decode, and, when the
generated task models are there (CTest fixture task_models), feature-extraction, fill-mask,
token-classification and question-answering. After a warm-up of WARMUP seconds the RSS is
recorded; at the end the growth over it must stay under BOUND_MB.

    PYTHONPATH=build/python soak.py CLI SECONDS [BOUND_MB]      # CTest: 45 s, 16 MB
    PYTHONPATH=build/python soak.py build/modelexport 3600 16   # the documented long run
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

try:
    import modelexport
    import modelexport.inference
    from modelexport.inference import pipeline
except ImportError as e:
    print(f"soak: skipped, the Python package is not importable ({e})")
    sys.exit(77)

cli, seconds = sys.argv[1], float(sys.argv[2])
bound_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 16.0
warmup = min(20.0, seconds / 3)
source = pathlib.Path(__file__).resolve().parents[2]
tiny_dir = source / "tests" / "fixtures" / "tiny-text-classifier"


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


texts = [l for l in (source / "README.md").read_text(encoding="utf-8").splitlines() if l.strip()][:400]
with tempfile.TemporaryDirectory() as tmp:
    tiny = pathlib.Path(tmp) / "tiny.onnx"
    subprocess.run([cli, "embed-metadata", str(tiny_dir / "model.onnx"), str(tiny_dir), "-o", str(tiny), "-q"],
                   check=True)
    work = [("text-classification", pipeline(model=str(tiny)), lambda i: texts[i % len(texts)])]
    work.append(("text-classification batch", work[0][1], lambda i: texts[i % len(texts):i % len(texts) + 8]))
    task_models = pathlib.Path(os.environ.get("TASK_MODELS", source / "build" / "tests" / "task_models"))
    for task, make in (("feature-extraction", lambda i: texts[i % len(texts)]),
                       ("fill-mask", lambda i: "The capital of France is [MASK]."),
                       ("token-classification", lambda i: texts[i % len(texts)]),
                       ("question-answering", lambda i: {"question": "What does it embed?", "context": texts[i % len(texts)]})):
        if (task_models / f"{task}.onnx").exists():
            work.append((task, pipeline(model=str(task_models / f"{task}.onnx")), make))
    tokenizer = modelexport.inference.ONNXAutoProcessor.from_model(str(tiny))

    start, i, peak_after_warmup, calls = time.monotonic(), 0, None, 0
    while time.monotonic() - start < seconds:
        name, pipe, make = work[i % len(work)]
        x = make(i)
        if name == "question-answering":
            pipe(**x)
        else:
            pipe(x)
        tokenizer([texts[i % len(texts)], texts[(i + 1) % len(texts)]])
        i += 1
        calls += 1
        if peak_after_warmup is None and time.monotonic() - start >= warmup:
            peak_after_warmup = rss_mb()
    final = rss_mb()
    growth = final - (peak_after_warmup or final)
    print(f"soak: {calls} pipeline calls over {[w[0] for w in work]} in {seconds:.0f} s; RSS after warm-up "
          f"{peak_after_warmup:.1f} MB, at the end {final:.1f} MB, growth {growth:.1f} MB (bound {bound_mb} MB)")
    if growth > bound_mb:
        print("FAIL: RSS grew past the bound")
        sys.exit(1)
