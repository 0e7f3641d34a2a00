// Output agreement of two models that should compute the same function (a model and its quantized
// copy): both run on the same sample inputs, every float output is compared.
//
//   Agreement a = compare_models("model.onnx", "model_q4.onnx");
//   for (const auto& o : a.outputs) std::cout << o.name << " cosine " << o.cosine;
//
// Sample inputs: with a tokenizer (embedded metadata or folder beside the reference model), a few
// fixed sentences through AutoProcessor; otherwise deterministic synthetic tensors from the input
// descriptions (ids in [0, 100), masks of ones, positions 0..n-1, floats uniform in [-1, 1]; dynamic
// dims: batch 1, others 8).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

struct OutputAgreement {
  std::string name;
  double max_abs_error = 0;   // over all elements
  double cosine = 1;          // of the flattened outputs
  double top1_agreement = 1;  // share of rows (last axis) whose argmax is the same
  size_t elements = 0;
};

struct Agreement {
  std::string inputs;  // "text samples" or "synthetic inputs"
  std::vector<OutputAgreement> outputs;
};

// Throws RuntimeError when either model cannot run on the inputs or their outputs differ in shape.
Agreement compare_models(const std::filesystem::path& reference, const std::filesystem::path& candidate,
                         const SessionOptions& session = {});

}  // namespace modelexport::runtime
