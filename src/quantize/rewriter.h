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
// Weights may be float32 or float16. A float16 MatMul weight gets float16 scales when
// float16_target (q4f16), else float32 scales with its activation cast to float32 and the result
// back to float16 (MatMulNBits wants A and scales of one type); 8-bit quantizes a float16 MatMul
// between the same Casts (DynamicQuantizeLinear takes float32 only).
RewriteResult rewrite_weights(onnx::ModelProto& model, const std::filesystem::path& model_dir,
                              const QuantizeOptions& options, bool float16_target = false);

}  // namespace modelexport::quantize
