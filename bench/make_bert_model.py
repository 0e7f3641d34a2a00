#!/usr/bin/python3
"""Writes a BERT-shaped encoder with random weights as a Hugging Face-style folder, for benchmarks.

  /usr/bin/python3 bench/make_bert_model.py OUT_DIR CORPUS_DIR --head {sequence-classification,none}
        [--layers 12] [--hidden 768] [--heads 12] [--intermediate 3072]

The graph is the standard BERT encoder written out in ONNX ops (opset 17): word + position + token
type embeddings, LayerNormalization, per layer multi-head self-attention with the additive attention
mask, GELU (erf) feed-forward, residuals; --head sequence-classification adds BERT's pooler (tanh on
[CLS]) and a 2-label classifier (output "logits"), --head none outputs "last_hidden_state".
--head lm makes it decoder-shaped: causal attention mask and an LM head MatMul [H, 30522] → "logits".
--static-length L fixes the input dims to [1, L] (same weights: the seed is fixed).
Defaults are BERT-base (110M parameters). config.json says BertForSequenceClassification / BertModel;
the tokenizer files are all-MiniLM-L6-v2's (BERT uncased, 30522 tokens) from the corpus.
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("corpus")
ap.add_argument("--head", default="sequence-classification", choices=["sequence-classification", "none", "lm"])
ap.add_argument("--layers", type=int, default=12)
ap.add_argument("--hidden", type=int, default=768)
ap.add_argument("--heads", type=int, default=12)
ap.add_argument("--intermediate", type=int, default=3072)
ap.add_argument("--static-length", type=int, default=0, help="write input dims [1, L] instead of dynamic ones")
args = ap.parse_args()
H, L, NH, FF = args.hidden, args.layers, args.heads, args.intermediate
VOCAB, POS = 30522, 512
rng = np.random.default_rng(0)
nodes, inits = [], []


def const(name, array):
    inits.append(numpy_helper.from_array(np.asarray(array), name))
    return name


def weight(name, shape, scale=0.02):
    return const(name, (rng.standard_normal(shape) * scale).astype(np.float32))


def node(op, ins, out, **attrs):
    nodes.append(helper.make_node(op, ins, [out], **attrs))
    return out


def layer_norm(x, prefix):
    g = const(prefix + ".weight", np.ones(H, np.float32))
    b = const(prefix + ".bias", np.zeros(H, np.float32))
    return node("LayerNormalization", [x, g, b], prefix + ".out", axis=-1, epsilon=1e-12)


def linear(x, prefix, n_in, n_out):
    w = weight(prefix + ".weight", (n_in, n_out))
    b = const(prefix + ".bias", np.zeros(n_out, np.float32))
    return node("Add", [node("MatMul", [x, w], prefix + ".mm"), b], prefix + ".out")


const("one", np.array(1, np.int64))
const("zero", np.array(0, np.int64))
const("heads_shape", np.array([0, 0, NH, H // NH], np.int64))
const("hidden_shape", np.array([0, 0, H], np.int64))
const("mask_axes", np.array([1, 2], np.int64))
const("scale", np.array(1.0 / np.sqrt(H // NH), np.float32))
const("neg", np.array(-10000.0, np.float32))
const("f_one", np.array(1.0, np.float32))
const("half", np.array(0.5, np.float32))
const("sqrt2", np.array(np.sqrt(2.0), np.float32))

seq_len = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), "one"], "seq_len", axis=0)
positions = node("Range", ["zero", seq_len, "one"], "positions")
emb = node("Add", [node("Gather", [weight("word_embeddings", (VOCAB, H)), "input_ids"], "word"),
                   node("Gather", [weight("position_embeddings", (POS, H)), positions], "pos")], "emb0")
emb = node("Add", [emb, node("Gather", [weight("token_type_embeddings", (2, H)), "token_type_ids"], "types")], "emb1")
x = layer_norm(emb, "embeddings.LayerNorm")
# Additive mask [batch, 1, 1, seq]: 0 where attended, -10000 on padding.
mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
mask_bias = node("Mul", [node("Sub", ["f_one", node("Unsqueeze", [mask_f, "mask_axes"], "mask4")], "inv_mask"), "neg"], "mask_bias")
if args.head == "lm":
    # Decoder: each position attends to itself and the past only (upper triangle masked).
    square = node("Concat", [node("Unsqueeze", [seq_len, "zero"], "seq1"), node("Unsqueeze", [seq_len, "zero"], "seq2")], "square", axis=0)
    ones = node("ConstantOfShape", [square], "ones", value=numpy_helper.from_array(np.array([1.0], np.float32)))
    future = node("Trilu", [ones, "one"], "future", upper=1)
    mask_bias = node("Add", [mask_bias, node("Mul", [future, "neg"], "causal")], "mask_causal")

for i in range(L):
    p = f"layer.{i}"
    def heads(name):
        r = node("Reshape", [linear(x, f"{p}.attention.{name}", H, H), "heads_shape"], f"{p}.{name}.heads")
        return r
    q = node("Transpose", [heads("query")], f"{p}.q", perm=[0, 2, 1, 3])
    k = node("Transpose", [heads("key")], f"{p}.k", perm=[0, 2, 3, 1])
    v = node("Transpose", [heads("value")], f"{p}.v", perm=[0, 2, 1, 3])
    scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"{p}.qk"), "scale"], f"{p}.scaled"), mask_bias], f"{p}.scores")
    ctx = node("MatMul", [node("Softmax", [scores], f"{p}.probs", axis=-1), v], f"{p}.ctx")
    ctx = node("Reshape", [node("Transpose", [ctx], f"{p}.ctx_t", perm=[0, 2, 1, 3]), "hidden_shape"], f"{p}.ctx_flat")
    x = layer_norm(node("Add", [linear(ctx, f"{p}.attention.output", H, H), x], f"{p}.res1"), f"{p}.attention.LayerNorm")
    h = linear(x, f"{p}.intermediate", H, FF)
    gelu = node("Mul", [node("Mul", [h, "half"], f"{p}.h_half"),
                        node("Add", ["f_one", node("Erf", [node("Div", [h, "sqrt2"], f"{p}.h_s")], f"{p}.erf")], f"{p}.erf1")], f"{p}.gelu")
    x = layer_norm(node("Add", [linear(gelu, f"{p}.output", FF, H), x], f"{p}.res2"), f"{p}.output.LayerNorm")

dims = [1, args.static_length] if args.static_length else ["batch_size", "sequence_length"]
inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ["input_ids", "attention_mask", "token_type_ids"]]
if args.head == "lm":
    node("MatMul", [x, weight("lm_head", (H, VOCAB))], "logits")
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, dims + [VOCAB])]
    arch = "BertLMHeadModel"
elif args.head == "none":
    node("Identity", [x], "last_hidden_state")
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [H])]
    arch = "BertModel"
else:
    cls = node("Gather", [x, "zero"], "cls", axis=1)
    pooled = node("Tanh", [linear(cls, "pooler.dense", H, H)], "pooled")
    node("Identity", [linear(pooled, "classifier", H, 2)], "logits")
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [dims[0], 2])]
    arch = "BertForSequenceClassification"

graph = helper.make_graph(nodes, "bert", inputs, outputs, inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="modelexport-bench")
model.ir_version = 8
os.makedirs(args.out, exist_ok=True)
onnx.save(model, os.path.join(args.out, "model.onnx"))
config = json.load(open(os.path.join(args.corpus, "models/all-MiniLM-L6-v2/config.json")))
config.update({"architectures": [arch], "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": NH,
               "intermediate_size": FF, "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
               "label2id": {"NEGATIVE": 0, "POSITIVE": 1}})
json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=2)
for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]:
    shutil.copyfile(os.path.join(args.corpus, "models/all-MiniLM-L6-v2", f), os.path.join(args.out, f))
print("wrote", args.out, sum(int(np.prod(t.dims)) for t in inits), "parameters")
