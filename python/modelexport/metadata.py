"""Embedding, reading, checking and unpacking Hugging Face metadata in ONNX files.

Each function returns what the matching CLI command prints with ``--json`` (the same dict, key for
key), from the same C++ call.

    >>> from modelexport.metadata import embed_metadata, read_metadata, validate, unpack
    >>> r = embed_metadata("model.onnx", "distilbert-sst2/", output_path="sst2.onnx")
    >>> r["task"], r["task_method"]
    ('text-classification', 'architecture-pattern')
    >>> read_metadata("sst2.onnx")["hf_model_config"]["architectures"]
    ['DistilBertForSequenceClassification']
    >>> validate("sst2.onnx")["valid"]
    True
    >>> [f["name"] for f in unpack("sst2.onnx", "out/", layout="transformers.js")["files"]][:1]
    ['onnx/model.onnx']
"""

import json

from . import _core
from ._paths import fspath

__all__ = ["embed_metadata", "read_metadata", "validate", "unpack", "detect_task"]


def embed_metadata(onnx_path, model_name_or_path, output_path=None, include_vocab=False,
                   compress_large_configs=True, validate=True, level="full", compress_threshold_kb=10,
                   task=None):
    """Write a Hugging Face model's files into the ONNX model's metadata (``embed-metadata``).

    model_name_or_path: a Hugging Face folder, an onnxruntime-genai folder, a Hub id in the local
    cache, or a list of them (each file from the first that has it). Without output_path the model
    is replaced atomically. include_vocab=True means level "full". compress_large_configs=False
    stores text uncompressed. validate=True adds "validation" (what :func:`validate` returns for the
    output). task: record this task instead of detecting it.

    Returns the report dict of ``modelexport embed-metadata --json``: "output", "task",
    "task_method", "entries" (key, file, raw_bytes, stored_bytes, compressed), sizes, "warnings".

    >>> embed_metadata("model.onnx", "hf-folder/", output_path="out.onnx")["task"]
    'text-classification'
    """
    model = fspath(onnx_path, "onnx_path")
    if isinstance(model_name_or_path, (list, tuple)):
        sources = [fspath(s, "model_name_or_path") for s in model_name_or_path]
    else:
        sources = [fspath(model_name_or_path, "model_name_or_path")]
    output = "" if output_path is None else fspath(output_path, "output_path")
    if not isinstance(level, str):
        raise TypeError(f"level: expected str, got {type(level).__name__}")
    if task is not None and not isinstance(task, str):
        raise TypeError(f"task: expected str or None, got {type(task).__name__}")
    report = json.loads(_core.embed_metadata(model, sources, output, level, bool(include_vocab),
                                             bool(compress_large_configs), float(compress_threshold_kb),
                                             task or ""))
    if validate:
        report["validation"] = json.loads(_core.validate(report["output"], True, True, True))
    return report


def read_metadata(onnx_path):
    """The embedded metadata, decoded: key -> value, JSON values parsed (``analyze --json``'s
    "metadata"). Binary files are summarised as {"binary", "size", "sha256"}. A model without
    modelexport metadata gives {}. A value that does not decode raises MetadataReadError.

    >>> read_metadata("model.onnx")["hf_pipeline_task"]
    'text-classification'
    """
    return json.loads(_core.read_metadata(fspath(onnx_path, "onnx_path")))


def validate(onnx_path, check_metadata=True, check_task=True, check_processor=True):
    """Check the embedded metadata (``validate --json``): {"file", "valid", "level", "checks",
    "findings": [{"severity", "check", "message"}]}. Findings are reported, not raised; a file that
    is not a usable ONNX model raises (FormatError, IoError).

    >>> validate("model.onnx")["valid"]
    True
    """
    return json.loads(_core.validate(fspath(onnx_path, "onnx_path"), bool(check_metadata), bool(check_task),
                                     bool(check_processor)))


def unpack(onnx_path, out_dir, layout="optimum"):
    """Write the Optimum ("optimum") or transformers.js ("transformers.js") folder from a
    self-contained model alone (``unpack --json``): {"out_dir", "files": [{"name", "size",
    "sha256"}], "warnings"}. out_dir must not exist.

    >>> unpack("model.onnx", "tjs/", layout="transformers.js")["files"][0]["name"]
    'onnx/model.onnx'
    """
    if not isinstance(layout, str):
        raise TypeError(f"layout: expected str, got {type(layout).__name__}")
    return json.loads(_core.unpack(fspath(onnx_path, "onnx_path"), fspath(out_dir, "out_dir"), layout))


def detect_task(config):
    """The pipeline task for a Hugging Face config (a dict, or config.json's text), or None when
    nothing identifies it. The rules are embed-metadata's (architecture map and patterns, labels,
    task_specific_params, model_type).

    >>> detect_task({"architectures": ["BertForTokenClassification"]})
    'token-classification'
    """
    if isinstance(config, dict):
        text = json.dumps(config)
    elif isinstance(config, str):
        text = config
    else:
        raise TypeError(f"config: expected a dict or JSON text, got {type(config).__name__}")
    found = _core.detect_task(text)
    return None if found is None else json.loads(found)["task"]
