#!/usr/bin/python3
"""torch.nn.functional.interpolate(mode="bilinear", align_corners=False) on the planes the C++ test
wrote (Debian's torch 1.13, CPU), the reference for src/runtime/pipelines/upsample.h.

  torch_upsample.py MANIFEST.json
MANIFEST: [{"input": PATH, "shape": [C, h, w], "size": [H, W], "output": PATH}...], float32
little-endian raw files; each input is interpolated as one [1, C, h, w] contiguous tensor (the layout
the pipelines hand torch) and written to its output as [C, H, W]. ATEN_CPU_CAPABILITY in the
environment picks torch's kernel build (default / avx2), as torch documents.
"""
import json
import sys

import numpy as np
import torch

for case in json.load(open(sys.argv[1])):
    c, h, w = case["shape"]
    x = torch.from_numpy(np.fromfile(case["input"], dtype="<f4").reshape(1, c, h, w))
    y = torch.nn.functional.interpolate(x, size=tuple(case["size"]), mode="bilinear", align_corners=False)
    y[0].contiguous().numpy().astype("<f4").tofile(case["output"])
