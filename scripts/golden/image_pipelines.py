#!/usr/bin/python3
"""Python transformers' image pipeline post-processing, written out (transformers is not installed
here), applied to model outputs the test gives; prints what each pipeline would return.

  image_pipelines.py CASES.json > RESULTS.json

CASES.json: a list of {"task", "outputs": {name: nested list, batch dim 1}, "config": config.json,
"options": {...}, "labels": [...] (zero-shot)}. Rules from transformers v4.57:
  - pipelines/image_classification.py ImageClassificationPipeline.postprocess: function_to_apply from
    problem_type / num_labels (multi_label_classification or 1 label -> sigmoid, else softmax), numpy
    float32 softmax/sigmoid on logits[0], top_k (default 5) clamped to num_labels, list.sort by score
    (reverse, stable), [{"label": id2label[i], "score": float}]
  - pipelines/image_feature_extraction.py ImageFeatureExtractionPipeline.postprocess: pool ->
    pooler_output, else model_outputs[0] (the first output), .tolist()
  - pipelines/zero_shot_image_classification.py postprocess: logits_per_image[0], torch.sigmoid when
    "siglip" in model_type else softmax(dim=-1), sorted(zip(scores, labels), key=-score),
    [{"score", "label"}], top_k first when given
"""
import json
import sys

import numpy as np
import torch


def np_softmax(outputs):
    maxes = np.max(outputs, axis=-1, keepdims=True)
    shifted_exp = np.exp(outputs - maxes)
    return shifted_exp / shifted_exp.sum(axis=-1, keepdims=True)


def np_sigmoid(outputs):
    return 1.0 / (1.0 + np.exp(-outputs))


def image_classification(case):
    config, options = case["config"], case.get("options", {})
    logits = np.array(case["outputs"]["logits"], dtype=np.float32)[0]
    num_labels = len(config.get("id2label", {})) or 2
    fn = options.get("function_to_apply")
    if fn is None:
        if config.get("problem_type") == "multi_label_classification" or num_labels == 1:
            fn = "sigmoid"
        elif config.get("problem_type") == "single_label_classification" or num_labels > 1:
            fn = "softmax"
        else:
            fn = "none"
    top_k = min(options.get("top_k", 5), num_labels)
    scores = np_sigmoid(logits) if fn == "sigmoid" else np_softmax(logits) if fn == "softmax" else logits
    result = [{"label": config["id2label"][str(i)], "score": s.item()} for i, s in enumerate(scores)]
    result.sort(key=lambda x: x["score"], reverse=True)
    return result[:top_k]


def image_feature_extraction(case):
    outputs = case["outputs"]
    if case.get("options", {}).get("pool"):
        return np.array(outputs["pooler_output"], dtype=np.float32).tolist()
    return np.array(outputs[case["first_output"]], dtype=np.float32).tolist()


def zero_shot_image_classification(case):
    logits = torch.tensor(case["outputs"]["logits_per_image"], dtype=torch.float32)[0]
    if "siglip" in case["config"].get("model_type", ""):
        scores = torch.sigmoid(logits).squeeze(-1).tolist()
    else:
        scores = logits.softmax(dim=-1).squeeze(-1).tolist()
    if not isinstance(scores, list):
        scores = [scores]
    result = [{"score": s, "label": l} for s, l in sorted(zip(scores, case["labels"]), key=lambda x: -x[0])]
    top_k = case.get("options", {}).get("top_k")
    return result[:top_k] if top_k else result


TASKS = {"image-classification": image_classification, "image-feature-extraction": image_feature_extraction,
         "zero-shot-image-classification": zero_shot_image_classification}
cases = json.load(open(sys.argv[1]))
print(json.dumps([TASKS[c["task"]](c) for c in cases]))
