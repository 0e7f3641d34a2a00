#!/usr/bin/python3
"""Gives a graph-only ONNX export (the corpus's `*-graph-only` folders: real graphs whose external
weight files are absent) deterministic random weights, so `quantize` can run on the real graph.

    /usr/bin/python3 bench/synthesize_weights.py GRAPH.onnx OUT_DIR [--image-size N]

Copies GRAPH.onnx into OUT_DIR unchanged (same `location`/`offset`/`length` for every external
initializer) and writes each external data file it names, filled per tensor at its offset:
float/float16 weights normal(0, 0.02) (LayerNorm-like 1-D weights named *weight/*gamma 1.0, 1-D
*bias/*beta 0.0), integer tensors zeros; numpy's default_rng seeded by the tensor name's CRC32, so
the same graph always gets the same weights. --image-size also writes a preprocessor_config.json and
a config.json beside it, so the accuracy check feeds images of that size.
"""
import argparse
import json
import os
import shutil
import zlib

import numpy as np
import onnx

NP_TYPES = {
    onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.FLOAT16: np.float16, onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32, onnx.TensorProto.INT8: np.int8,
    onnx.TensorProto.UINT8: np.uint8, onnx.TensorProto.BOOL: np.bool_,
}


def values(t):
    count = int(np.prod(t.dims)) if len(t.dims) else 1
    dtype = NP_TYPES[t.data_type]
    if not np.issubdtype(dtype, np.floating):
        return np.zeros(count, dtype=dtype)
    name = t.name.lower()
    if len(t.dims) == 1 and (name.endswith("weight") or "gamma" in name or "norm" in name):
        return np.ones(count, dtype=dtype)
    if len(t.dims) == 1 and (name.endswith("bias") or "beta" in name):
        return np.zeros(count, dtype=dtype)
    rng = np.random.default_rng(zlib.crc32(t.name.encode()))
    return (rng.standard_normal(count, dtype=np.float32) * 0.02).astype(dtype)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("graph")
    p.add_argument("out_dir")
    p.add_argument("--image-size", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    model = onnx.load(a.graph, load_external_data=False)
    files = {}
    for t in model.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        e = {kv.key: kv.value for kv in t.external_data}
        files.setdefault(e["location"], []).append((int(e.get("offset", 0)), t))
    for location, tensors in files.items():
        with open(os.path.join(a.out_dir, location), "wb") as f:
            for offset, t in sorted(tensors, key=lambda x: x[0]):
                f.seek(offset)
                f.write(values(t).tobytes())
    shutil.copyfile(a.graph, os.path.join(a.out_dir, os.path.basename(a.graph)))
    if a.image_size:
        with open(os.path.join(a.out_dir, "preprocessor_config.json"), "w") as f:
            json.dump({"size": {"height": a.image_size, "width": a.image_size}}, f)
        with open(os.path.join(a.out_dir, "config.json"), "w") as f:
            json.dump({"model_type": "synthetic"}, f)
    print(f"{sum(len(v) for v in files.values())} tensors in {len(files)} data file(s) written to {a.out_dir}")


if __name__ == "__main__":
    main()
