#!/usr/bin/env python3
"""The seed's workflow in Python: embed a Hugging Face folder into an exported ONNX model, then use the
self-contained file alone — a pipeline with the task detected, and the model and processor directly.

    .venv/bin/python examples/python/seed_workflow.py \
        tests/fixtures/tiny-text-classifier/model.onnx tests/fixtures/tiny-text-classifier

(CTest runs it as the test python_seed_workflow.)
"""

import pathlib
import shutil
import sys
import tempfile

import numpy as np

from modelexport import MetadataError
from modelexport.inference import ONNXAutoModel, ONNXAutoProcessor, pipeline
from modelexport.metadata import embed_metadata, read_metadata, validate


def main(exported_onnx, hf_folder):
    out = pathlib.Path(tempfile.mkdtemp())
    try:
        # 1. Embed the folder's config, tokenizer and processor files into the exported model.
        model_path = out / "model.onnx"
        report = embed_metadata(exported_onnx, hf_folder, output_path=model_path)
        print(f"embedded {len(report['entries'])} values, task {report['task']} ({report['task_method']}), "
              f"valid: {report['validation']['valid']}")
        assert report["validation"]["valid"], report["validation"]["findings"]

        # 2. Read it back: decoded values, JSON parsed.
        meta = read_metadata(model_path)
        print("architecture:", meta["hf_model_config"]["architectures"][0], "| labels:", meta["hf_model_config"]["id2label"])

        # 3. A pipeline from the file alone; the task comes from the metadata.
        classifier = pipeline(model=model_path)
        texts = ["I love this movie", "What a terrible day"]
        results = classifier(texts)
        for text, result in zip(texts, results):
            print(f"{text!r}: {result}")

        # 4. The same by hand: the processor rebuilt from the metadata, the ONNX Runtime session on numpy.
        tokenizer = ONNXAutoProcessor.from_model(model_path)
        model = ONNXAutoModel.from_model(model_path)
        inputs = tokenizer(texts)
        print("inputs:", {k: v.shape for k, v in inputs.items()}, "->", model.output_names)
        logits = model(**inputs)["logits"]
        probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        labels = meta["hf_model_config"]["id2label"]
        for row, result in zip(probabilities, results):
            best = int(row.argmax())
            assert labels[str(best)] == result["label"] and abs(row[best] - result["score"]) < 1e-5, (row, result)
        print("decoded:", tokenizer.decode(inputs["input_ids"][0], skip_special_tokens=True))

        # 5. Errors are the seed design's classes.
        try:
            read_metadata(out / "missing.onnx")
        except (MetadataError, OSError) as e:
            print("missing file:", type(e).__name__, e)
        return 0
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
