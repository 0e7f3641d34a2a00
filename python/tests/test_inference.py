"""modelexport.inference against the CLI's `run --json` (the same C++ pipelines): the same results for
the same inputs, shaped per call as Python transformers returns them; ONNXAutoModel and
ONNXAutoProcessor against `tokenize --json` and the pipeline."""

import json
import pathlib

import numpy as np
import pytest

import modelexport
from modelexport.inference import ONNXAutoModel, ONNXAutoProcessor, pipeline
from conftest import cli

TEXTS = ["I love this movie", "Hello, world!", "Paris is the capital of France and a [MASK] city."]


def run_lines(model, *args):
    return [json.loads(line) for line in cli("run", model, *args, "--json")[1].splitlines()]


def test_text_classification_like_transformers(tiny):
    classifier = pipeline(model=tiny)
    assert classifier.task == "text-classification"
    ref = run_lines(tiny, *TEXTS)
    # transformers: a str gives [best]; a list gives one best dict per text (the legacy top_k call).
    assert classifier(TEXTS[0]) == [ref[0][0]]
    assert classifier(TEXTS) == [r[0] for r in ref]
    assert classifier(TEXTS, top_k=2) == run_lines(tiny, *TEXTS, "--top-k", "2")
    assert classifier(TEXTS[0], top_k=2) == run_lines(tiny, TEXTS[0], "--top-k", "2")[0]
    assert classifier(TEXTS[0], top_k=None) == run_lines(tiny, TEXTS[0], "--top-k", "1000")[0]
    assert classifier(TEXTS, function_to_apply="sigmoid") == [r[0] for r in run_lines(tiny, *TEXTS, "--function-to-apply", "sigmoid")]
    assert pipeline("sentiment-analysis", model=tiny, top_k=2)(TEXTS[0]) == run_lines(tiny, TEXTS[0], "--top-k", "2")[0]


def test_text_pairs(tiny, tmp_path):
    lines = tmp_path / "pairs.jsonl"
    lines.write_text("\n".join(json.dumps({"text": a, "text_pair": b}) for a, b in [("a b", "c"), ("I love", "this")]))
    ref = run_lines(tiny, "--input", lines)
    classifier = pipeline(model=tiny)
    assert classifier({"text": "a b", "text_pair": "c"}) == [ref[0][0]]
    assert classifier([{"text": "a b", "text_pair": "c"}, {"text": "I love", "text_pair": "this"}]) == [r[0] for r in ref]
    assert classifier("a b", text_pair="c") == [ref[0][0]]


@pytest.mark.parametrize("task,options,flags", [
    ("feature-extraction", {}, []),
    ("feature-extraction", {"pooling": "mean", "normalize": True}, ["--pooling", "mean", "--normalize"]),
    ("token-classification", {}, []),
    ("token-classification", {"aggregation_strategy": "simple"}, ["--aggregation-strategy", "simple"]),
    ("token-classification", {"aggregation_strategy": "max", "ignore_labels": ["O", "B-PER"]},
     ["--aggregation-strategy", "max", "--ignore-labels", "O", "B-PER"]),
    ("fill-mask", {}, []),
    ("fill-mask", {"top_k": 2, "targets": ["city", "big"]}, ["--top-k", "2", "--targets", "city", "big"]),
])
def test_text_tasks_match_run_json(task_models, task, options, flags):
    model = task_models / f"{task}.onnx"
    texts = TEXTS if task != "fill-mask" else [t for t in TEXTS if "[MASK]" in t] + ["The [MASK] is [MASK]."]
    pipe = pipeline(task, model=model, **options)
    ref = run_lines(model, *texts, *flags)
    assert pipe(texts) == ref
    # One input is a batch of one (batches sum in another order: compare with the CLI on that input alone).
    assert pipe(texts[0]) == run_lines(model, texts[0], *flags)[0]
    assert pipeline(model=model)(texts[0]) == run_lines(model, texts[0])[0]  # task from the metadata


def test_question_answering_matches_run_json(task_models):
    model = task_models / "question-answering.onnx"
    q, contexts = "Where is the Eiffel tower?", ["The Eiffel tower is in Paris.", "Berlin has a tower too."]
    ref = run_lines(model, *contexts, "--question", q)
    qa = pipeline(model=model)
    one = run_lines(model, contexts[0], "--question", q)[0]
    assert qa(question=q, context=contexts[0]) == one
    assert qa({"question": q, "context": contexts[0]}) == one
    assert qa(q, contexts[0]) == one
    assert qa([{"question": q, "context": c} for c in contexts]) == ref
    assert qa(question=q, context=contexts) == ref
    assert qa(question=q, context=contexts[0], top_k=3) == run_lines(model, contexts[0], "--question", q, "--top-k", "3")[0]
    assert isinstance(ref[0], dict) and set(ref[0]) >= {"answer", "score", "start", "end"}


def test_zero_shot_matches_run_json(task_models):
    model = task_models / "zero-shot-classification.onnx"
    labels = ["travel", "cooking", "dancing"]
    ref = run_lines(model, *TEXTS[:2], "--labels", *labels)
    one = run_lines(model, TEXTS[0], "--labels", *labels)[0]
    zsc = pipeline(model=model)
    assert zsc(TEXTS[0], candidate_labels=labels) == one
    assert zsc(TEXTS[0], labels) == one
    assert zsc(TEXTS[0], "travel, cooking,dancing") == one  # transformers splits a str on commas
    assert zsc(TEXTS[:2], candidate_labels=labels) == ref
    multi = run_lines(model, TEXTS[0], "--labels", *labels, "--multi-label", "--hypothesis-template", "It is about {}.")
    assert zsc(TEXTS[0], labels, multi_label=True, hypothesis_template="It is about {}.") == multi[0]


def test_tokenizer_is_the_cli_tokenizer(tiny, task_models):
    for model in [tiny, task_models / "fill-mask.onnx", task_models / "question-answering.onnx"]:
        tok = ONNXAutoProcessor.from_model(model)
        ref = [json.loads(line) for line in cli("tokenize", model, *sum((["--text", t] for t in TEXTS), []))[1].splitlines()]
        enc = tok(TEXTS)
        assert enc["input_ids"].dtype == np.int64
        for i, r in enumerate(ref):
            n = int(enc["attention_mask"][i].sum())
            assert n == sum(r["attention_mask"])  # tokenizer.json may pad (a static sequence length)
            assert enc["input_ids"][i][:n].tolist() == r["ids"][:n]
        single = tok(TEXTS[0])
        assert single["input_ids"][0][:single["attention_mask"][0].sum()].tolist() == ref[0]["ids"][:sum(ref[0]["attention_mask"])]
        ids = ",".join(map(str, ref[0]["ids"]))
        assert tok.decode(ref[0]["ids"], skip_special_tokens=True) == decoded(model, ids, "--no-special-tokens")
        assert tok.decode(ref[0]["ids"]) == decoded(model, ids)


def test_model_on_the_tokenizer_gives_the_pipeline_score(tiny):
    tok, model = ONNXAutoProcessor.from_model(tiny), ONNXAutoModel.from_model(tiny)
    assert model.input_names == [i["name"] for i in cli_inputs(tiny)]
    out = model(**tok(TEXTS))
    logits = out["logits"]
    assert logits.dtype == np.float32 and logits.shape[0] == len(TEXTS)
    assert logits.base is not None and not logits.flags.owndata  # the C++ buffer, not a copy
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ref = pipeline(model=tiny)(TEXTS, top_k=None)
    labels = metadata_labels(tiny)
    for row, results in zip(p, ref):
        for r in results:
            assert abs(row[labels.index(r["label"])] - r["score"]) < 1e-6


def cli_inputs(model):
    return json.loads(cli("analyze", model, "--json")[1])["inputs"]


def metadata_labels(model):
    config = modelexport.metadata.read_metadata(model)["hf_model_config"]
    return [config["id2label"][str(i)] for i in range(len(config["id2label"]))]


def decoded(model, ids, *flags):
    """`tokenize --decode` (the tokenizer's decode; the texts used have nothing clean-up changes)."""
    return json.loads(cli("tokenize", model, "--decode", ids, *flags)[1])["text"]
