#include "modelexport/runtime/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "modelexport/common/error.h"
#include "runtime/sample_inputs.h"
#include "runtime/session_memory.h"

namespace modelexport::runtime {

namespace {

OutputAgreement agreement(const std::string& name, const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape || a.f32.size() != b.f32.size())
    throw RuntimeError("output '" + name + "' differs in shape between the two models");
  OutputAgreement r;
  r.name = name;
  r.elements = a.f32.size();
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.f32.size(); ++i) {
    double x = a.f32[i], y = b.f32[i];
    // A NaN on one side only (a float16 overflow, say) is an infinite error, not one std::max skips.
    double d = std::abs(x - y);
    if (std::isnan(d)) d = std::isnan(x) && std::isnan(y) ? 0.0 : std::numeric_limits<double>::infinity();
    r.max_abs_error = std::max(r.max_abs_error, d);
    dot += x * y, na += x * x, nb += y * y;
  }
  r.cosine = na == 0 && nb == 0 ? 1.0 : dot / std::sqrt(na * nb);
  size_t last = a.shape.empty() ? 1 : static_cast<size_t>(a.shape.back()), rows = last ? a.f32.size() / last : 0,
         same = 0;
  for (size_t row = 0; row < rows; ++row) {
    const float* x = a.f32.data() + row * last;
    const float* y = b.f32.data() + row * last;
    same += std::max_element(x, x + last) - x == std::max_element(y, y + last) - y;
  }
  r.top1_agreement = rows ? static_cast<double>(same) / static_cast<double>(rows) : 1.0;
  return r;
}

}  // namespace

Agreement compare_models(const std::filesystem::path& reference, const std::filesystem::path& candidate,
                         const SessionOptions& session) {
  // One session at a time: the reference is run and released before the candidate is loaded, so the
  // check's peak memory is the larger model's, not the sum (a 3B float32 source is 12 GB on its own).
  // A model the machine cannot hold is skipped before its session is made (session_memory.h).
  Agreement result;
  for (const auto* model : {&reference, &candidate}) {
    result.skipped = memory_shortfall(estimate_session_memory(*model), session.graph_optimization_level,
                                      "'" + model->filename().string() + "'");
    if (!result.skipped.empty()) return result;
  }
  std::optional<AutoModel> reference_model(AutoModel::from_model(reference, session));
  const AutoModel& a = *reference_model;
  CheckInputs samples = check_inputs(reference, a);
  result.inputs = samples.description;
  if (!samples.skipped.empty()) {
    result.skipped = samples.skipped;
    return result;
  }
  const std::map<std::string, Tensor>& inputs = samples.tensors;
  const std::map<std::string, Tensor>& out_a = samples.outputs;
  reference_model.reset();
  const AutoModel b = AutoModel::from_model(candidate, session);
  std::map<std::string, Tensor> out_b = b.run(inputs);
  for (const auto& [name, t] : out_a) {
    if (t.f32.empty()) continue;
    auto it = out_b.find(name);
    if (it == out_b.end()) throw RuntimeError("output '" + name + "' is missing from '" + candidate.string() + "'");
    result.outputs.push_back(agreement(name, t, it->second));
  }
  return result;
}

}  // namespace modelexport::runtime
