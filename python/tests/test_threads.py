"""Calls from several Python threads at once give what serial calls give (the GIL is released inside)."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from modelexport.inference import ONNXAutoModel, ONNXAutoProcessor, pipeline

TEXTS = [f"text number {i} is {'good' if i % 2 else 'bad'}" for i in range(24)]


def test_pipeline_from_threads(tiny):
    classifier = pipeline(model=tiny)
    serial = [classifier(t, top_k=2) for t in TEXTS]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            assert list(pool.map(lambda t: classifier(t, top_k=2), TEXTS)) == serial
        assert list(pool.map(lambda i: classifier(TEXTS[i:i + 5]), range(0, 20, 5))) == \
            [classifier(TEXTS[i:i + 5]) for i in range(0, 20, 5)]


def test_model_and_tokenizer_from_threads(tiny):
    tok, model = ONNXAutoProcessor.from_model(tiny), ONNXAutoModel.from_model(tiny)
    serial = [model(**tok(t))["logits"] for t in TEXTS]
    with ThreadPoolExecutor(8) as pool:
        for got, want in zip(pool.map(lambda t: model(**tok(t))["logits"], TEXTS), serial):
            np.testing.assert_array_equal(got, want)
