"""One-node models of the com.microsoft ops quantize writes (MatMulNBits, GatherBlockQuantized), shaped as
quantize writes them (4 bits, block 32, K = 64), for scripts/kernels/measure_kernels.mjs.
    /usr/bin/python3 scripts/kernels/make_contrib_models.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
K, N, block = 64, 8, 32
opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]


def save(name, node, inputs, outputs, inits):
    g = helper.make_graph([node], name, inputs, outputs, inits)
    onnx.save(helper.make_model(g, opset_imports=opsets, ir_version=8), os.path.join(out, name + ".onnx"))


save("matmulnbits",
     helper.make_node("MatMulNBits", ["a", "b", "scales"], ["y"], domain="com.microsoft", K=K, N=N, bits=4, block_size=block),
     [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, K])],
     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, N])],
     [numpy_helper.from_array(np.full((N, K // block, block // 2), 0x88, np.uint8), "b"),
      numpy_helper.from_array(np.ones((N, K // block), np.float32), "scales")])
save("gatherblockquantized",
     helper.make_node("GatherBlockQuantized", ["table", "ids", "scales"], ["y"], domain="com.microsoft", gather_axis=0,
                      quantize_axis=1, block_size=block, bits=4),
     [helper.make_tensor_value_info("ids", TensorProto.INT64, [3])],
     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, K])],
     [numpy_helper.from_array(np.full((N, K // 2), 0x88, np.uint8), "table"),
      numpy_helper.from_array(np.ones((N, K // block), np.float32), "scales")])
