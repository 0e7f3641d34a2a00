"""A ViT-Tiny-sized image classifier with random weights, for bench/image_pipelines.sh: the shape of
transformers' ViTForImageClassification (modeling_vit.py, v4.57) at the sizes of facebook/deit-tiny
(patch 16, hidden 192, 12 layers, 3 heads, MLP 768, 1000 labels; ~1.3 GFLOPs per 224x224 image), written
with onnx.helper (opset 17) so the model run costs what a real small ViT's does:
  Conv patch embedding -> [CLS] + tokens + position embeddings -> 12 pre-norm encoder layers (LayerNorm,
  multi-head self-attention, residual, LayerNorm, Dense-GELU(erf)-Dense, residual) -> LayerNorm -> the
  CLS token -> Linear -> logits [batch, 1000].
The folder gets config.json (model_type vit, id2label) and google/vit-base-patch16-224's
preprocessor_config.json values (ViTImageProcessor 224x224 bilinear, mean/std 0.5).
  make_vit_model.py OUT_DIR [--layers N]
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--layers", type=int, default=12)
args = parser.parse_args()
H, HEADS, MLP, PATCH, LABELS, TOKENS = 192, 3, 768, 16, 1000, 197
D = H // HEADS
rng = np.random.default_rng(7)
nodes, inits = [], []


def w(name, *shape, scale=0.02):
    inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name))
    return name


def const(name, values, dtype=np.int64):
    inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
    return name


def node(op, ins, out, **attrs):
    nodes.append(helper.make_node(op, ins, [out], **attrs))
    return out


def layer_norm(x, name):
    ones = const(name + ".weight", np.ones(H), np.float32)
    zeros = const(name + ".bias", np.zeros(H), np.float32)
    return node("LayerNormalization", [x, ones, zeros], name + ".out", axis=-1, epsilon=1e-12)


def dense(x, name, n_in, n_out):
    mm = node("MatMul", [x, w(name + ".weight", n_in, n_out)], name + ".mm")
    return node("Add", [mm, w(name + ".bias", n_out)], name + ".out")


const("heads_shape", [0, TOKENS, HEADS, D])
const("hidden_shape", [0, TOKENS, H])
const("flat_shape", [0, H, -1])
const("cls_index", [0])
inits.append(numpy_helper.from_array(np.array(1 / np.sqrt(D), dtype=np.float32), "attn_scale"))
inits.append(numpy_helper.from_array(np.array(1 / np.sqrt(2), dtype=np.float32), "inv_sqrt2"))
inits.append(numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"))
inits.append(numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"))

conv = node("Conv", ["pixel_values", w("patch.weight", H, 3, PATCH, PATCH), w("patch.bias", H)], "patch.conv",
            kernel_shape=[PATCH, PATCH], strides=[PATCH, PATCH])
seq = node("Transpose", [node("Reshape", [conv, "flat_shape"], "patch.flat")], "patch.seq", perm=[0, 2, 1])
# [CLS]: a learned token broadcast over the batch (Expand to [batch, 1, H]), then the position embeddings.
batch_dim = node("Slice", [node("Shape", [seq], "seq.shape"), const("zero", [0]), const("one_i", [1])], "batch")
cls_shape = node("Concat", [batch_dim, const("one_one_h", [1, H])], "cls.shape", axis=0)
cls = node("Expand", [w("cls_token", 1, 1, H), cls_shape], "cls.tokens")
x = node("Add", [node("Concat", [cls, seq], "tokens", axis=1), w("position_embeddings", 1, TOKENS, H)], "embedded")


def heads(t, name):  # [batch, 197, H] -> [batch, heads, 197, D]
    return node("Transpose", [node("Reshape", [t, "heads_shape"], name + ".split")], name + ".heads", perm=[0, 2, 1, 3])


for i in range(args.layers):
    p = f"layer{i}"
    h = layer_norm(x, p + ".ln1")
    q, k, v = (heads(dense(h, f"{p}.{n}", H, H), f"{p}.{n}") for n in ("q", "k", "v"))
    scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], p + ".kT", perm=[0, 1, 3, 2])], p + ".qk"),
                          "attn_scale"], p + ".scores")
    ctx = node("MatMul", [node("Softmax", [scores], p + ".probs", axis=-1), v], p + ".ctx")
    merged = node("Reshape", [node("Transpose", [ctx], p + ".ctx.t", perm=[0, 2, 1, 3]), "hidden_shape"], p + ".merged")
    x = node("Add", [x, dense(merged, p + ".attn_out", H, H)], p + ".res1")
    h = dense(layer_norm(x, p + ".ln2"), p + ".fc1", H, MLP)
    erf = node("Erf", [node("Mul", [h, "inv_sqrt2"], p + ".scaled")], p + ".erf")
    gelu = node("Mul", [node("Mul", [h, "half"], p + ".halfx"), node("Add", [erf, "one"], p + ".erf1")], p + ".gelu")
    x = node("Add", [x, dense(gelu, p + ".fc2", MLP, H)], p + ".res2")
cls_out = node("Squeeze", [node("Gather", [layer_norm(x, "final_ln"), "cls_index"], "cls.gather", axis=1),
                           const("axis1", [1])], "cls.out")
logits = dense(cls_out, "classifier", H, LABELS)
nodes.append(helper.make_node("Identity", [logits], ["logits"]))

graph = helper.make_graph(
    nodes, "vit-tiny", [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch_size", 3, 224, 224])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", LABELS])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_vit_model")
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(args.out, exist_ok=True)
onnx.save(model, os.path.join(args.out, "model.onnx"))
labels = {str(i): f"class {i}" for i in range(LABELS)}
files = {
    "config.json": {"architectures": ["ViTForImageClassification"], "model_type": "vit", "image_size": 224,
                    "patch_size": PATCH, "num_channels": 3, "hidden_size": H, "num_hidden_layers": args.layers,
                    "num_attention_heads": HEADS, "intermediate_size": MLP, "id2label": labels,
                    "label2id": {v: int(k) for k, v in labels.items()}},
    "preprocessor_config.json": {"image_processor_type": "ViTImageProcessor", "do_resize": True,
                                 "size": {"height": 224, "width": 224}, "resample": 2, "do_rescale": True,
                                 "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5],
                                 "image_std": [0.5, 0.5, 0.5]},
}
for name, content in files.items():
    with open(os.path.join(args.out, name), "w") as f:
        json.dump(content, f, indent=2)
print(os.path.join(args.out, "model.onnx"))
