// float32 → float16 conversion of a whole graph, with transformers.js' rules (its scripts/float16.py,
// derived from onnxconverter-common): every float32 initializer, Constant, ConstantOfShape value and
// float-typed attribute becomes float16 (values clamped: |x| in (0, 1e-7) → 1e-7, finite |x| > 1e4 →
// 1e4, then rounded to nearest even); ops in the block list stay float32 with Cast nodes before their
// float inputs and after their float outputs; top-level float32 inputs and outputs stay float32
// (a Cast after each input, a Cast before each output); subgraph inputs and outputs become float16.
// Element types are propagated through the graph by op rules (unknown ops: the type of their first
// input), so no shape inference is needed and contrib ops such as MatMulNBits pass through.
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
