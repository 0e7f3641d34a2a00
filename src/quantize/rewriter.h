// The weight rewrite of quantize (internal): MatMul → MatMulNBits (q4), Gather over tables →
// GatherBlockQuantized (q4 with quantize_embeddings), MatMul → DynamicQuantizeLinear + MatMulInteger
// (q8 / int8 / uint8), in the main graph and every subgraph, with the report of every node seen.
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <vector>

#include "modelexport/quantize/quantize.h"

namespace modelexport::quantize {

struct RewriteResult {
  QuantizeReport report;
  bool signed_weights = false;  // 8-bit: int8 (true) or uint8 weights
};

// model_dir: where external data named by the model lives. Leaves the model unchanged but for the
// rewritten nodes and initializers; float weights nothing uses any more are removed.
RewriteResult rewrite_weights(onnx::ModelProto& model, const std::filesystem::path& model_dir, const QuantizeOptions& options);


}  // namespace modelexport::quantize
