#include "modelexport/runtime/compare.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "modelexport/common/error.h"
#include "modelexport/runtime/auto_processor.h"
#include "runtime/sample_inputs.h"

namespace modelexport::runtime {

namespace {

OutputAgreement agreement(const std::string& name, const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape || a.f32.size() != b.f32.size()) throw RuntimeError("output '" + name + "' differs in shape between the two models");
  OutputAgreement r;
  r.name = name;
  r.elements = a.f32.size();
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.f32.size(); ++i) {
    double x = a.f32[i], y = b.f32[i];
    r.max_abs_error = std::max(r.max_abs_error, std::abs(x - y));
    dot += x * y, na += x * x, nb += y * y;
  }
  r.cosine = na == 0 && nb == 0 ? 1.0 : dot / std::sqrt(na * nb);
  size_t last = a.shape.empty() ? 1 : static_cast<size_t>(a.shape.back()), rows = last ? a.f32.size() / last : 0, same = 0;
  for (size_t row = 0; row < rows; ++row) {
    const float* x = a.f32.data() + row * last;
    const float* y = b.f32.data() + row * last;
    same += std::max_element(x, x + last) - x == std::max_element(y, y + last) - y;
  }
  r.top1_agreement = rows ? static_cast<double>(same) / static_cast<double>(rows) : 1.0;
  return r;
}

}  // namespace

Agreement compare_models(const std::filesystem::path& reference, const std::filesystem::path& candidate, const SessionOptions& session) {
  // One session at a time: the reference is run and released before the candidate is loaded, so the
  // check's peak memory is the larger model's, not the sum (a 3B float32 source is 12 GB on its own).
  std::optional<AutoModel> reference_model(AutoModel::from_model(reference, session));
  const AutoModel& a = *reference_model;
  Agreement result;
  std::map<std::string, Tensor> inputs, out_a, out_b;
  bool have_reference = false;
  try {
    AutoProcessor p = AutoProcessor::from_model(reference, a.inputs());
    auto enc = p.encode({"The quick brown fox jumps over the lazy dog.", "modelexport makes self-contained ONNX models.",
                         "Quantized weights should give nearly the same answers.", "Hello"});
    std::vector<const processors::Encoding*> batch;
    for (const auto& e : enc) batch.push_back(&e);
    if (p.fixed_batch()) batch.resize(std::min(batch.size(), p.fixed_batch()));
    inputs = p.to_inputs(batch);
    out_a = a.run(inputs);
    have_reference = true;
    result.inputs = "text samples";
  } catch (const Error&) {
    // No tokenizer, inputs it cannot fill, or a model the text samples do not fit: synthetic inputs.
  }
  if (!have_reference) {
    SampleInputs s = synthetic_inputs(reference, a.inputs());
    result.inputs = s.description;
    if (!s.unfit.empty()) {
      result.skipped = "no sample input fits the graph: " + s.unfit;
      return result;
    }
    inputs = std::move(s.tensors);
    try {
      out_a = a.run(inputs);
    } catch (const RuntimeError& e) {
      result.skipped = "no sample input fits the graph: '" + reference.string() + "' itself fails on " + result.inputs +
                       ": " + e.what();
      return result;
    }
  }
  reference_model.reset();
  const AutoModel b = AutoModel::from_model(candidate, session);
  out_b = b.run(inputs);
  for (const auto& [name, t] : out_a) {
    if (t.f32.empty()) continue;
    auto it = out_b.find(name);
    if (it == out_b.end()) throw RuntimeError("output '" + name + "' is missing from '" + candidate.string() + "'");
    result.outputs.push_back(agreement(name, t, it->second));
  }
  return result;
}

}  // namespace modelexport::runtime
