// text-classification as transformers.js' TextClassificationPipeline: logits [batch, labels], softmax
// (sigmoid for problem_type multi_label_classification), top_k labels, best first. As in Python
// transformers, a single-logit head gets a sigmoid (transformers.js' softmax of one logit is always
// 1) and function_to_apply overrides the choice.
#include <algorithm>
#include <numeric>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class TextClassification final : public TextPipeline {
 public:
  TextClassification(AutoModel m, AutoProcessor p) : TextPipeline("text-classification", std::move(m), std::move(p)) {
    multi_label_ = JsonReader(config_, "config.json").string_or("problem_type", "") == "multi_label_classification";
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::vector<processors::Encoding> enc;
    std::vector<std::string> singles;
    bool pairs = std::any_of(inputs.begin(), inputs.end(), [](const PipelineInput& in) { return !in.text_pair.empty(); });
    if (pairs) {
      std::vector<std::pair<std::string, std::string>> p;
      for (const auto& in : inputs) p.emplace_back(in.text, in.text_pair);
      enc = processor_.encode_pairs(p);
    } else {
      for (const auto& in : inputs) singles.push_back(in.text);
      enc = processor_.encode(singles);
    }
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    size_t top_k = o.top_k.value_or(1);
    std::vector<OJson> out(inputs.size());
    run_batches(ptrs, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t) {
      const Tensor& logits = output(outputs, "logits", 2);
      size_t labels = static_cast<size_t>(logits.shape[1]);
      std::string fn = o.function_to_apply.empty() ? (multi_label_ || labels == 1 ? "sigmoid" : "softmax") : o.function_to_apply;
      if (fn != "softmax" && fn != "sigmoid" && fn != "none")
        throw UsageError("function_to_apply '" + fn + "' is not one of softmax, sigmoid, none");
      for (size_t r = 0; r < rows.size(); ++r) {
        const float* row = logits.f32.data() + r * labels;
        std::vector<double> p = fn == "softmax" ? softmax(row, labels) : std::vector<double>(row, row + labels);
        if (fn == "sigmoid")
          for (auto& v : p) v = 1.0 / (1.0 + std::exp(-v));
        std::vector<size_t> order(labels);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
        OJson list = OJson::array();
        for (size_t k = 0; k < std::min(top_k, labels); ++k) list.push_back({{"label", label(order[k])}, {"score", p[order[k]]}});
        out[rows[r]] = std::move(list);  // a list even for top_k 1, as transformers.js returns it per text
      }
    });
    return out;
  }

  bool multi_label_ = false;
};

}  // namespace

std::unique_ptr<Pipeline> make_text_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<TextClassification>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
