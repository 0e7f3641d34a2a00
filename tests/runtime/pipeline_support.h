// Shared by the pipeline test suites: the generated task models (CTest fixture task_models), the
// parity harness against transformers.js (scripts/golden/pipelines.mjs) and the inputs it uses.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime::test_pipelines {

using OJson = nlohmann::ordered_json;  // results compared with their key order

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
  // Keys ours adds to transformers.js' objects: Python transformers' extras the README lists
  // (token-classification and question-answering character spans "start", "end").
  std::set<std::string> extra_keys;
  double max_abs = 0;
  std::vector<std::string> mismatches;
};
// `ref` against `ours`, shapes strictly: the same JSON type at every node (a number where ref has a
// number, arrays of the same length, objects with ref's keys in ref's order and no others but
// d.extra_keys, null where ref has null); numbers within d.tolerance, strings and booleans equal.
void compare(const OJson& ref, const OJson& ours, const std::string& path, Diff& d);
// The extras our results carry beyond transformers.js' for `task` (see Diff::extra_keys).
std::set<std::string> extra_keys(const std::string& task);

// Runs transformers.js (dtype picks onnx/model{_dtype}.onnx) and `pipe` on the inputs with the
// options; expects parity and prints a summary line.
void expect_parity(const Pipeline& pipe, const std::filesystem::path& tjs_folder, const std::vector<Json>& inputs, const Json& js_options,
                   const PipelineOptions& options, const std::string& name, const std::string& dtype = "fp32",
                   double tolerance = 1e-4);
// The same with our results given (one JSON text per input, e.g. the lines of `modelexport run --json`).
void expect_parity_of(const Pipeline& pipe, const std::filesystem::path& tjs_folder, const std::vector<Json>& inputs,
                      const Json& js_options, const std::vector<std::string>& ours, const std::string& name,
                      const std::string& dtype = "fp32", double tolerance = 1e-4);

}  // namespace modelexport::runtime::test_pipelines

#define REQUIRE_TASK_MODELS()                                                                                  \
  if (::modelexport::runtime::test_pipelines::task_models().empty() ||                                         \
      !::modelexport::runtime::test_pipelines::have_transformers_js())                                         \
  GTEST_SKIP() << "task models (corpus) or node_modules/@huggingface/transformers missing (run scripts/setup.sh)"
