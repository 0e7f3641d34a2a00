// float32 → float16 conversion of a whole graph, with transformers.js' rules (its scripts/float16.py,
// derived from onnxconverter-common): every float32 initializer, Constant, ConstantOfShape value and
// float-typed attribute becomes float16 (values clamped: |x| in (0, 1e-7) → 1e-7, finite |x| > 1e4 →
// 1e4, then rounded to nearest even); ops in the block list stay float32 with Cast nodes before their
// float inputs and after their float outputs; top-level float32 inputs and outputs stay float32
// (a Cast after each input, a Cast before each output); subgraph inputs and outputs become float16.
//
// What may be float16 is decided per op and per the model's opset by ONNX's operator schemas
// (libonnx 1.12's OpSchemaRegistry, the authority on what is legal): a node also stays float32 when a
// type constraint binding one of its float32 values has no tensor(float16), a float32 value sits in a
// parameter fixed to tensor(float), its function body (which ONNX Runtime expands when it has no
// kernel) does not type-check with float16 inputs, it works on sequences/optionals of float, or ONNX
// Runtime's kernel refuses float16 (Scatter with a reduction). Element types come from ONNX's type
// inference, with op rules for what it cannot type (contrib ops such as MatMulNBits), so a Cast is
// only ever put on a float32 value. A float32 node reads graph inputs and float32 weights directly
// (no round trip through float16), and its float32 outputs leave the graph as they are.
//
// Throws UsageError for a model below opset 6 (Cast takes a string `to` there, and ONNX Runtime has
// no Cast kernel before opset 6, so no float16 value can run).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace modelexport::quantize {

struct Float16Report {
  size_t initializers_converted = 0, initializers_kept = 0, casts_added = 0, blocked_nodes = 0;
  // Nodes kept float32 because the ONNX schema has no float16 for them at the model's opset, by reason
  // (e.g. "Celu-12 has no float16 for input 'X' (type constraint T)").
  std::map<std::string, size_t> kept_by_schema;
};

// transformers.js' DEFAULT_OP_BLOCK_LIST (ops ONNX Runtime lacks float16 kernels for, plus Cast).
const std::set<std::string>& default_fp16_block_list();

// progress, when given, is called with the float32 bytes of each tensor converted.
Float16Report convert_to_float16(onnx::ModelProto& model, const std::set<std::string>& block_list,
                                 const std::function<void(uint64_t)>& progress = {});

// IEEE binary16 bits of x, rounded to nearest even (no clamping).
uint16_t float_to_half(float x);
float half_to_float(uint16_t h);

}  // namespace modelexport::quantize
