#!/usr/bin/python3
"""Soak (issue 17): one process runs pipelines over many inputs and its RSS must stay flat.

Loops, in one Python process over the C++ library (the build tree's package), over one SET of
pipelines. After a warm-up of WARMUP seconds the RSS is recorded; at the end the growth over it must
stay under BOUND_MB.
- text (default): text-classification on the tiny fixture (single texts and batches of 8), tokenizer
  encode/decode, and, when the generated task models are there (CTest fixture task_models),
  feature-extraction, fill-mask, token-classification and question-answering.
- media: image-classification (IMAGE_MODELS/vit-cls.onnx; generated PNG/JPEG bytes and uint8 arrays
  of varying sizes), audio (AUDIO_MODELS: CTC speech recognition and audio-classification on
  generated WAV bytes and float arrays of varying lengths) and text-generation (DECODER_MODELS/gpt2.onnx,
  greedy and sampled, 4 new tokens) — CTest fixtures image_models, audio_models, decoder_models.

    PYTHONPATH=build/python soak.py CLI SECONDS [BOUND_MB [SET]]      # CTests soak, soak_media: 45 s, 16 MB
    PYTHONPATH=build/python soak.py build/modelexport 3600 16         # the documented long runs
    PYTHONPATH=build/python IMAGE_MODELS=build/tests/image_models AUDIO_MODELS=build/tests/audio_models \
      DECODER_MODELS=build/tests/decoder_models soak.py build/modelexport 3600 16 media
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
pipeline_set = sys.argv[4] if len(sys.argv) > 4 else "text"
warmup = min(20.0, seconds / 3)
source = pathlib.Path(__file__).resolve().parents[2]
tiny_dir = source / "tests" / "fixtures" / "tiny-text-classifier"


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


texts = [l for l in (source / "README.md").read_text(encoding="utf-8").splitlines() if l.strip()][:400]


def text_work(tmp):
    """(name, call) pairs over the text pipelines; call(i) runs the i-th input."""
    tiny = pathlib.Path(tmp) / "tiny.onnx"
    subprocess.run([cli, "embed-metadata", str(tiny_dir / "model.onnx"), str(tiny_dir), "-o", str(tiny), "-q"],
                   check=True)
    classify = pipeline(model=str(tiny))
    tokenizer = modelexport.inference.ONNXAutoProcessor.from_model(str(tiny))
    work = [("text-classification", lambda i: classify(texts[i % len(texts)])),
            ("text-classification batch", lambda i: classify(texts[i % len(texts):i % len(texts) + 8])),
            ("tokenizer", lambda i: tokenizer([texts[i % len(texts)], texts[(i + 1) % len(texts)]]))]
    task_models = pathlib.Path(os.environ.get("TASK_MODELS", source / "build" / "tests" / "task_models"))
    for task, call in (("feature-extraction", lambda p, i: p(texts[i % len(texts)])),
                       ("fill-mask", lambda p, i: p("The capital of France is [MASK].")),
                       ("token-classification", lambda p, i: p(texts[i % len(texts)])),
                       ("question-answering",
                        lambda p, i: p(question="What does it embed?", context=texts[i % len(texts)]))):
        if (task_models / f"{task}.onnx").exists():
            pipe = pipeline(model=str(task_models / f"{task}.onnx"))
            work.append((task, lambda i, p=pipe, c=call: c(p, i)))
    return work


def media_work():
    """Image, audio and generation pipelines on the generated fixture models, over inputs that vary
    in size and encoding (so the decoders, resizers and caches see new shapes all the time)."""
    import io
    import wave
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    images = []
    for k, (h, w) in enumerate([(32, 48), (224, 224), (97, 301), (480, 640), (7, 9), (300, 200)]):
        pixels = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        encoded = io.BytesIO()
        Image.fromarray(pixels).save(encoded, format="PNG" if k % 2 else "JPEG")
        images += [pixels, encoded.getvalue()]
    sounds = []
    for k, seconds in enumerate([0.1, 1.0, 2.5, 0.37, 4.0]):
        t = np.arange(int(16000 * seconds)) / 16000.0
        samples = (0.3 * np.sin(2 * np.pi * (220 + 110 * k) * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
        encoded = io.BytesIO()
        with wave.open(encoded, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000 if k % 2 else 8000)  # 8 kHz WAVs are resampled
            w.writeframes((samples * 32767).astype("<i2").tobytes())
        sounds += [samples, encoded.getvalue()]
    prompts = ["Hello", "The quick brown fox", "Once upon a time, in a land far away,", "1 2 3"]
    work, missing = [], []
    models = {"image-classification": ("IMAGE_MODELS", "vit-cls.onnx"),
              "automatic-speech-recognition": ("AUDIO_MODELS", "ctc.onnx"),
              "audio-classification": ("AUDIO_MODELS", "wav2vec2-cls.onnx"),
              "text-generation": ("DECODER_MODELS", "gpt2.onnx")}
    pipes = {}
    for task, (var, name) in models.items():
        path = pathlib.Path(os.environ.get(var, source / "build" / "tests" / var.lower())) / name
        if path.exists():
            pipes[task] = pipeline(model=str(path))
        else:
            missing.append(str(path))
    if missing:
        print(f"soak: missing fixture models {missing}")
        sys.exit(1)
    work.append(("image-classification", lambda i: pipes["image-classification"](images[i % len(images)], top_k=3)))
    work.append(("image-classification batch",
                 lambda i: pipes["image-classification"]([images[i % len(images)], images[(i + 3) % len(images)]])))
    work.append(("automatic-speech-recognition",
                 lambda i: pipes["automatic-speech-recognition"](sounds[i % len(sounds)])))
    work.append(("audio-classification", lambda i: pipes["audio-classification"](sounds[(i + 1) % len(sounds)])))
    work.append(("text-generation", lambda i: pipes["text-generation"](prompts[i % len(prompts)], max_new_tokens=4)))
    work.append(("text-generation sampled",
                 lambda i: pipes["text-generation"](prompts[i % len(prompts)], max_new_tokens=4, do_sample=True,
                                                    seed=i, top_k=20)))
    return work


with tempfile.TemporaryDirectory() as tmp:
    work = text_work(tmp) if pipeline_set == "text" else media_work()
    start, i, peak_after_warmup, calls = time.monotonic(), 0, None, 0
    while time.monotonic() - start < seconds:
        name, call = work[i % len(work)]
        call(i)
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
