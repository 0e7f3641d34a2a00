// zero-shot-classification as transformers.js' ZeroShotClassificationPipeline: each (text, hypothesis)
// pair through an NLI head; softmax of the entailment logits across labels, or per label over
// (contradiction, entailment) with multi_label or a single label.
#include <algorithm>
#include <array>
#include <numeric>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class ZeroShotClassification final : public TextPipeline {
 public:
  ZeroShotClassification(AutoModel m, AutoProcessor p)
      : TextPipeline("zero-shot-classification", std::move(m), std::move(p)) {
    std::map<std::string, size_t> label2id;
    for (const auto& [id, name] : id2label_) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      label2id[lower] = id;
    }
    // transformers.js' fallbacks (2 and 0) when the labels do not say.
    entailment_ = label2id.count("entailment") ? label2id["entailment"] : 2;
    contradiction_ = label2id.count("contradiction") ? label2id["contradiction"] : label2id.count("not_entailment") ? label2id["not_entailment"] : 0;
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].labels.empty())
        throw UsageError("input " + std::to_string(i + 1) + " has no candidate labels; zero-shot-classification needs \"labels\"");
      if (o.hypothesis_template.find("{}") == std::string::npos)
        throw UsageError("hypothesis_template '" + o.hypothesis_template + "' has no {} for the label");
      for (const auto& l : inputs[i].labels) {
        std::string h = o.hypothesis_template;
        h.replace(h.find("{}"), 2, l);
        pairs.emplace_back(inputs[i].text, h);
      }
    }
    // Python transformers truncates the premise only (ONLY_FIRST) so the hypothesis stays whole.
    std::optional<processors::TruncationParams> truncation;
    if (processor_.max_length()) {
      truncation.emplace();
      truncation->max_length = *processor_.max_length();
      truncation->strategy = processors::TruncationParams::Strategy::kOnlyFirst;
    }
    auto enc = processor_.encode_pairs(pairs, truncation);
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    std::vector<std::array<float, 2>> logits(enc.size());  // contradiction, entailment
    run_batches(ptrs, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t) {
      const Tensor& t = output(outputs, "logits", 2);
      size_t labels = static_cast<size_t>(t.shape[1]);
      if (entailment_ >= labels || contradiction_ >= labels)
        throw RuntimeError("the NLI head has " + std::to_string(labels) + " logits; entailment is label " + std::to_string(entailment_));
      for (size_t r = 0; r < rows.size(); ++r)
        logits[rows[r]] = {t.f32[r * labels + contradiction_], t.f32[r * labels + entailment_]};
    });
    std::vector<OJson> out;
    size_t at = 0;
    for (const auto& in : inputs) {
      size_t n = in.labels.size();
      std::vector<double> scores(n);
      if (o.multi_label || n == 1) {
        for (size_t k = 0; k < n; ++k) scores[k] = softmax(logits[at + k].data(), 2)[1];
      } else {
        std::vector<float> entail(n);
        for (size_t k = 0; k < n; ++k) entail[k] = logits[at + k][1];
        scores = softmax(entail.data(), n);
      }
      at += n;
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
      OJson labels = OJson::array(), sorted = OJson::array();
      for (size_t k : order) labels.push_back(in.labels[k]), sorted.push_back(scores[k]);
      out.push_back({{"sequence", in.text}, {"labels", labels}, {"scores", sorted}});
    }
    return out;
  }

  size_t entailment_ = 2, contradiction_ = 0;
};

}  // namespace

std::unique_ptr<Pipeline> make_zero_shot_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ZeroShotClassification>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
