// image-classification as Python transformers' ImageClassificationPipeline (v4.57,
// pipelines/image_classification.py): logits [batch, labels] of each image; sigmoid when config.json's
// problem_type is multi_label_classification or there is one label, else softmax (function_to_apply
// overrides; "none" keeps the logits), in float32 as its numpy softmax/sigmoid compute; labels from
// id2label sorted by score (stable: ties keep label order), the top_k first (default 5, at most the
// number of labels), as [{"label","score"}]. transformers.js 4.3.1 always applies softmax.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "modelexport/common/error.h"
#include "runtime/pipelines/image_pipeline.h"

namespace modelexport::runtime {
namespace {

class ImageClassification final : public ImagePipeline {
 public:
  ImageClassification(AutoModel m, AutoProcessor p)
      : ImagePipeline("image-classification", std::move(m), std::move(p)) {
    multi_label_ = JsonReader(config_, "config.json").string_or("problem_type", "") == "multi_label_classification";
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    const std::string& fn_option = o.function_to_apply;
    if (!fn_option.empty() && fn_option != "softmax" && fn_option != "sigmoid" && fn_option != "none")
      throw UsageError("function_to_apply '" + fn_option + "' is not one of softmax, sigmoid, none");
    std::vector<OJson> out(inputs.size());
    image_batches(inputs, o, [&](ImageBatch& batch) {
      const auto outputs = model_.run(batch.inputs);
      const Tensor& logits = output(outputs, "logits", 2);
      const size_t labels = static_cast<size_t>(logits.shape[1]);
      const std::string fn = !fn_option.empty() ? fn_option : multi_label_ || labels == 1 ? "sigmoid" : "softmax";
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        const float* row = logits.f32.data() + r * labels;
        std::vector<float> p(row, row + labels);
        if (fn == "softmax") {
          // numpy: exp(x - max) / sum, float32 throughout.
          const float mx = *std::max_element(p.begin(), p.end());
          float sum = 0;
          for (auto& v : p) sum += v = std::exp(v - mx);
          for (auto& v : p) v /= sum;
        } else if (fn == "sigmoid") {
          for (auto& v : p) v = 1.0f / (1.0f + std::exp(-v));
        }
        std::vector<size_t> order(labels);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
        OJson list = OJson::array();
        for (size_t k = 0; k < std::min(o.top_k.value_or(5), labels); ++k)
          list.push_back({{"label", label(order[k])}, {"score", static_cast<double>(p[order[k]])}});
        out[batch.rows[r]] = std::move(list);
      }
    });
    return out;
  }

  bool multi_label_ = false;
};

}  // namespace

std::unique_ptr<Pipeline> make_image_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ImageClassification>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
