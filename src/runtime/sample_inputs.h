// Synthetic sample inputs that fit a model's graph, for comparing two models that should compute the
// same function (runtime/compare.h). Internal to the runtime layer.
//
//   SampleInputs s = synthetic_inputs("past.onnx", model.inputs());
//   if (s.unfit.empty()) model.run(s.tensors);
//
// Rules (deterministic, seed 0):
// - A symbolic dim has one value across all inputs, by name: names with "batch" 1, "past" 4,
//   "total" past + sequence (4 + 8 when the graph has a past dim, else 8), image height/width from
//   the processor config (preprocessor_config.json: crop_size, size, image_size; else 224), others 8.
//   Unnamed dynamic dims: 1 on axis 0, else 8. Static dims are kept.
// - Integer inputs that index a table (Gather, GatherElements, GatherBlockQuantized,
//   com.microsoft EmbedLayerNormalization), directly or through Cast/Reshape/(Un)squeeze/Flatten/
//   Identity/Expand, stay below the indexed dim; ids are also kept below config.json's vocab_size.
//   Masks are ones, token type ids zeros, position ids past + 0..n-1, other integers in [0, 8).
// - float32/float16/float64/bfloat16 uniform in [-1, 1]; bool false (true for a use_cache flag
//   when there is a past); strings from a few fixed sentences.
// - `unfit` says why no sensible input can be made (a non-tensor or unsupported input type).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

struct SampleInputs {
  std::map<std::string, Tensor> tensors;
  std::string description;  // the bound dims and index ranges, for reports
  std::string unfit;        // non-empty: why no sensible input could be made
};

SampleInputs synthetic_inputs(const std::filesystem::path& model, const std::vector<TensorDesc>& inputs);

// The inputs the checks of a model against its quantized copy feed (compare.h, fp16_range.h): with a
// tokenizer and only text inputs, a few fixed sentences through AutoProcessor when `model` (loaded
// from `path`) runs on them; otherwise synthetic_inputs, run once on `model`. `outputs` are the
// model's outputs on them; `skipped` (non-empty) says why no input fits, and then nothing else is set
// but `description`.
struct CheckInputs {
  std::map<std::string, Tensor> tensors, outputs;
  std::string description, skipped;
};
CheckInputs check_inputs(const std::filesystem::path& path, const AutoModel& model);

}  // namespace modelexport::runtime
