// Float16 range check of a float16 (fp16 / q4f16) copy of a float32 model: the known way such models
// fail on WebGPU is a value past float16's range (|x| > 65504) in a MatMul, LayerNorm or attention
// computed in half, which becomes inf and then NaN downstream. Both models run on the same sample
// inputs as compare_models (runtime/compare.h) with every node output of their main graph exposed,
// and each float tensor is scanned:
// - in the float32 source, a tensor with values past ±65504 (or inf/NaN) is a finding when none of its
//   node's float inputs is (the node that produces the value, not one that carries it);
// - in the float16 result, a tensor with inf/NaN whose node's inputs are finite and whose tensor of
//   the same name in the source is finite (the float16 computation made it).
// Tensors past the range downstream of a finding are counted (`carried`), not listed.
//
//   Fp16RangeReport r = check_float16_range("model.onnx", "model_q4f16.onnx");
//   for (const auto& f : r.result) std::cout << f.op << " '" << f.node << "' gives inf/NaN in half\n";
//
// Both graphs are run as written (ONNX Runtime's CPU provider, graph optimizations off, so every node
// output exists as the graph names it); nodes inside If/Loop/Scan subgraphs are not exposed. A model
// whose session would not fit in memory that way (float16 weights are held twice: session_memory.h)
// is run with every optimization instead, which keeps one float32 copy (its graph outputs, here every
// node output, survive the fusions), and `note` says so; one that fits neither way is skipped. Memory:
// each model is held once more as a copy with the extra outputs, and outputs are fetched and reduced
// to counts a few at a time (kOutputsPerRun), so at most that many intermediate tensors are copied
// out at once. Like compare_models, when no sample input fits, `skipped` says why and nothing is
// flagged. Throws RuntimeError when a model cannot be loaded or run on inputs the source runs on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

struct Fp16RangeFinding {
  std::string node, op, output;  // the producing node's name and op type, the tensor
  double max_abs = 0;            // largest finite |x| of the tensor
  size_t out_of_range = 0;       // elements past ±65504 or inf/NaN (source); inf/NaN (result)
  size_t elements = 0;
  // Source findings: the element type of the tensor of this name in the result ("float16",
  // "float32": kept by the block list), "" when the result has no tensor of that name.
  std::string result_type;
};

struct Fp16RangeReport {
  std::string inputs;                             // what was fed ("text samples", "synthetic inputs (...)")
  std::string skipped;                            // non-empty: why nothing was checked
  std::string note;                               // non-empty: a model was scanned with optimizations on, and why
  size_t source_tensors = 0, result_tensors = 0;  // float tensors scanned in each model
  std::vector<Fp16RangeFinding> source, result;   // in graph order
  size_t source_carried = 0, result_carried = 0;  // tensors past the range downstream of a finding
  bool flagged() const { return !source.empty() || !result.empty(); }
};

inline constexpr double kFloat16Max = 65504.0;
inline constexpr size_t kOutputsPerRun = 32;

Fp16RangeReport check_float16_range(const std::filesystem::path& source, const std::filesystem::path& result,
                                    const SessionOptions& session = {});

}  // namespace modelexport::runtime
