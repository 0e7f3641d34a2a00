"""modelexport.quantize: weight quantization keeping the embedded metadata."""

import json

from . import _core
from ._paths import fspath, strings


def quantize(model_path, output, dtype="q4", block_size=32, symmetric=True, accuracy_level=4, exclude=(),
             quantize_embeddings=False, external_data=False, accuracy=True):
    """Quantize a model's MatMul weights into output (``modelexport quantize --json``'s report).

    dtype: "q4" (MatMulNBits), "q4f16", "q8", "uint8", "int8" or "fp16". The result must load in ONNX
    Runtime and, unless accuracy=False, its outputs are compared with the input's on sample inputs
    ("accuracy" in the report) before it is moved into place; any failure writes nothing. For fp16 and
    q4f16 (with accuracy) "fp16_range" lists the ops whose values pass float16's range (|x| > 65504) in
    the float32 source and those that give inf/NaN in the result, as `modelexport quantize --json`.

    >>> r = quantize("model.onnx", "model_q4.onnx")
    >>> r["quantized"], r["size_ratio"] < 0.5
    (12, True)
    """
    if not isinstance(dtype, str):
        raise TypeError(f"dtype: expected str, got {type(dtype).__name__}")
    return json.loads(_core.quantize(fspath(model_path, "model_path"), fspath(output, "output"), dtype, int(block_size),
                                     bool(symmetric), int(accuracy_level), strings(exclude, "exclude"),
                                     bool(quantize_embeddings), bool(external_data), bool(accuracy)))
