// Output agreement of two models that should compute the same function (a model and its quantized
// copy): both run on the same sample inputs, every float output is compared.
//
//   Agreement a = compare_models("model.onnx", "model_q4.onnx");
//   for (const auto& o : a.outputs) std::cout << o.name << " cosine " << o.cosine;
//
// Sample inputs: with a tokenizer (embedded metadata or folder beside the reference model) and only
// text inputs, a few fixed sentences through AutoProcessor (when the reference runs on them);
// otherwise deterministic synthetic tensors that fit the graph (runtime/sample_inputs.h): a symbolic dim gets one value
// across every input by name (batch 1, past 4, total = past + sequence, image sizes from the processor config), index
// inputs stay inside the tables they index (and config.json's vocab_size), every tensor type is fed (float16/float64
// and bool included) and float16/float64 outputs are compared as float.
//
// When no sensible input can be made (an input type without samples, or the reference model itself
// fails on the samples) the comparison is skipped: `skipped` says why and `outputs` is empty. A good
// model is never failed for it.
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
  std::string inputs;   // "text samples" or "synthetic inputs (batch_size=1, ...)": what was fed
  std::string skipped;  // non-empty: why nothing was compared
  std::vector<OutputAgreement> outputs;
};

// Throws RuntimeError when either model cannot be loaded, when the candidate fails on inputs the
// reference runs on, or when their outputs differ in shape.
Agreement compare_models(const std::filesystem::path& reference, const std::filesystem::path& candidate,
                         const SessionOptions& session = {});

}  // namespace modelexport::runtime
