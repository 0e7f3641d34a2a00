// AutoModel: an ONNX Runtime session on a model file, with the model's inputs/outputs described and
// a run() on plain tensors. One ORT environment per process, created on first use.
//
//   AutoModel model = AutoModel::from_model("model.onnx", {});      // throws RuntimeError
//   Tensor ids = Tensor::int64({1, 3}, {101, 7592, 102});
//   auto out = model.run({{"input_ids", ids}, {"attention_mask", Tensor::int64({1, 3}, {1, 1, 1})}});
//   const Tensor& logits = out.at("logits");                        // logits.f32, logits.shape
//
// Thread-safety: run() may be called from several threads at once (ORT sessions are thread-safe).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modelexport/runtime/session_info.h"

namespace modelexport::runtime {

// A dense tensor: float data in f32, integer and bool data in i64, strings in str. run() converts to
// and from the model's element type (float16/float64/bfloat16 ↔ f32; int8..uint64/bool ↔ i64).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> f32;
  std::vector<int64_t> i64;
  std::vector<std::string> str;
  bool is_float() const { return !f32.empty() || (i64.empty() && str.empty()); }
  static Tensor int64(std::vector<int64_t> shape, std::vector<int64_t> data) {
    return {std::move(shape), {}, std::move(data), {}};
  }
  static Tensor float32(std::vector<int64_t> shape, std::vector<float> data) {
    return {std::move(shape), std::move(data), {}, {}};
  }
  static Tensor strings(std::vector<int64_t> shape, std::vector<std::string> data) {
    return {std::move(shape), {}, {}, std::move(data)};
  }
};

struct SessionOptions {
  int intra_op_threads = 0;  // 0: ORT's default
  int inter_op_threads = 0;
  // Whether ONNX Runtime's intra-op workers busy-wait for work after each parallel section
  // ("session.intra_op.allow_spinning"). Off, they sleep: no core is taken from the caller's own
  // threads between runs. Unset: ORT's default (on), except that pipeline() turns it off for the image
  // tasks, whose decode threads work between runs (docs/benchmarks.md, "Image pipelines").
  std::optional<bool> intra_op_spinning;
  // 8-bit matrix products computed exactly, as ONNX's MatMulInteger defines them (int32 sums), on every
  // x86 CPU. ONNX Runtime's U8S8 kernels for CPUs without VNNI (SSE4.1, AVX2, AVX-512 without VNNI:
  // VPMADDUBSW, whose int16 pair sums saturate) can otherwise give a q8 model other results than the
  // same file on a VNNI CPU or in onnxruntime-web (measured: 3 greedy tokens of the browser suite's q8
  // llama differ on an AVX2-only AMD EPYC). On (the default), the session sets ONNX Runtime's
  // "session.x64quantprecision" = "1" (onnxruntime_session_options_config_keys.h, 1.29: its slower
  // U8U8 kernels there); no effect on other CPUs. Off: ONNX Runtime's default, what Python's
  // onnxruntime gives with default options on such a CPU. ONNX Runtime 1.30 cannot load a model in
  // this mode when two MatMulIntegers share one int8 weight (a weight tied across layers); such a
  // model is loaded with the default kernels instead (its products then depend on the CPU as above).
  bool exact_int8_matmul = true;
  int graph_optimization_level = 99;  // 0 none, 1 basic, 2 extended, 99 all
  std::string optimized_model_path;   // save the optimized graph here when set
  // Execution providers in order of preference, by ONNX Runtime's names ("XnnpackExecutionProvider",
  // "CUDAExecutionProvider", ...); CPU is always the fallback. A provider this ORT build lacks is a
  // RuntimeError listing the available ones.
  std::vector<std::string> execution_providers;
};

// The execution providers the loaded ONNX Runtime offers.
std::vector<std::string> available_execution_providers();

class AutoModel {
 public:
  static AutoModel from_model(const std::filesystem::path& path, const SessionOptions& options);
  ~AutoModel();
  AutoModel(AutoModel&&) noexcept;
  AutoModel& operator=(AutoModel&&) noexcept;

  const std::vector<TensorDesc>& inputs() const;
  const std::vector<TensorDesc>& outputs() const;
  bool has_input(const std::string& name) const;
  // True when the graph quantizes activations per tensor (DynamicQuantizeLinear, as 8-bit dynamic
  // quantization does): a row's outputs then depend on the other rows and the padding of its batch,
  // so pipelines run such models one input at a time.
  bool batch_dependent() const;
  // Runs with the named inputs, converted to the model's element types (f32 feeds float32, float16,
  // float64 and bfloat16 inputs; i64 feeds integer and bool inputs; str feeds string inputs); returns
  // every output by name, converted back the same way. Throws RuntimeError naming the tensor on mismatches.
  std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& inputs) const;
  // The same, returning only the named outputs (ORT computes what they need); an unknown name is a
  // RuntimeError from ONNX Runtime naming it.
  std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& inputs,
                                    const std::vector<std::string>& output_names) const;

 private:
  friend struct AutoModelAccess;  // src/runtime/auto_model_access.h: the ORT session, for IoBinding runners
  struct Impl;
  explicit AutoModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelexport::runtime
