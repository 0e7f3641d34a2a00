// Shared by the pipeline test suites: the generated task models (CTest fixture task_models), the
// parity harness against transformers.js (scripts/golden/pipelines.mjs) and the inputs it uses.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime::test_pipelines {

bool have_transformers_js();
// TASK_MODELS (set by CTest) when it exists, else empty.
std::filesystem::path task_models();
std::unique_ptr<Pipeline> task_pipeline(const std::string& task);  // task_models()/TASK.onnx
std::filesystem::path tjs(const std::string& task);                 // its transformers.js folder

// Texts: sentences, the corpus edge cases and every 150th multilingual line, without those longer
// than max_tokens (transformers.js truncates after adding special tokens and drops the final [SEP];
// Hugging Face tokenizers and Python transformers keep it, as we do).
std::vector<std::string> texts(const Pipeline& pipe, size_t max_tokens = 500);
std::vector<Json> text_inputs(const std::vector<std::string>& texts);
PipelineInput to_input(const Json& j);

struct Diff {
  // Both sides run the same libonnxruntime.so.1 (onnxruntime-node 1.30.0's), so on one CPU the
  // kernels are the same. Ours batches inputs by length, transformers.js calls one at a time: MLAS
  // picks GEMM tilings (and MatMulNBits' int8 path its blocking) by row count, so batched rows sum
  // in another order — measured up to 9.2e-5 on a q4 token classifier, 1e-6 in float32. Batched
  // comparisons allow 1e-4 for that; one-at-a-time comparisons (batch_size 1) allow only the
  // float32-vs-float64 post-processing (softmax, pooling): 1e-6.
  double tolerance = 1e-4;
  double max_abs = 0;
  std::vector<std::string> mismatches;
};
// `ref` against `ours`: every field of ref must be in ours (ours may add start/end); numbers within 1e-4.
void compare(const Json& ref, const Json& ours, const std::string& path, Diff& d);

// Runs transformers.js (dtype picks onnx/model{_dtype}.onnx) and `pipe` on the inputs with the
// options; expects parity and prints a summary line.
void expect_parity(const Pipeline& pipe, const std::filesystem::path& tjs_folder, const std::vector<Json>& inputs, const Json& js_options,
                   const PipelineOptions& options, const std::string& name, const std::string& dtype = "fp32",
                   double tolerance = 1e-4);

}  // namespace modelexport::runtime::test_pipelines

#define REQUIRE_TASK_MODELS()                                                                                  \
  if (::modelexport::runtime::test_pipelines::task_models().empty() ||                                         \
      !::modelexport::runtime::test_pipelines::have_transformers_js())                                         \
  GTEST_SKIP() << "task models (corpus) or node_modules/@huggingface/transformers missing (run scripts/setup.sh)"
