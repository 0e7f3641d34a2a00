// image-feature-extraction as Python transformers' ImageFeatureExtractionPipeline (v4.57,
// pipelines/image_feature_extraction.py): per image, the model's first output as a nested list
// (`model_outputs[0]`: last_hidden_state [1, tokens, hidden] for ViT-style models, image_embeds
// [1, dims] for CLIPVisionModelWithProjection), or with `pool` its pooler_output (image_embeds when
// the export has no pooler_output, as CLIP's projection is its pooled output). Beyond Python,
// `pooling` "cls" / "mean" gives last_hidden_state's first token / token mean as [1, hidden].
// transformers.js 4.3.1 returns last_hidden_state ?? logits ?? image_embeds instead of the first output.
#include <algorithm>

#include "modelexport/common/error.h"
#include "runtime/pipelines/image_pipeline.h"

namespace modelexport::runtime {
namespace {

class ImageFeatureExtraction final : public ImagePipeline {
 public:
  ImageFeatureExtraction(AutoModel m, AutoProcessor p)
      : ImagePipeline("image-feature-extraction", std::move(m), std::move(p)) {
    if (model_.outputs().empty()) throw UnsuitableModelError("image-feature-extraction: the model has no outputs");
    first_ = model_.outputs().front().name;
    for (const char* name : {"pooler_output", "image_embeds"})
      if (pooled_.empty())
        for (const auto& out : model_.outputs())
          if (out.name == name) pooled_ = name;
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    const std::string pooling = o.pooling.empty() || o.pooling == "none" ? ""
                                : o.pooling == "first_token"             ? "cls"
                                                                         : o.pooling;
    if (!pooling.empty() && pooling != "cls" && pooling != "mean")
      throw UsageError("pooling '" + o.pooling +
                       "' is not one of none, cls (first_token), mean for image-feature-extraction");
    if (o.pool && !pooling.empty()) throw UsageError("pool and pooling '" + pooling + "' cannot be combined");
    if (o.pool && pooled_.empty())
      throw UnsuitableModelError(
          "no pooled output: pool needs a 'pooler_output' (or 'image_embeds') output, and this model has none");
    const std::string read = o.pool ? pooled_ : !pooling.empty() ? "last_hidden_state" : first_;
    std::vector<OJson> out(inputs.size());
    image_batches(inputs, o, [&](ImageBatch& batch) {
      auto outputs = model_.run(batch.inputs);
      auto it = outputs.find(read);
      if (it == outputs.end())
        throw UnsuitableModelError("pooling '" + pooling +
                                   "' reads 'last_hidden_state', which this model does not output");
      const Tensor& t = it->second;
      if (t.shape.empty() || t.f32.empty()) throw RuntimeError("output '" + read + "' is not a float tensor");
      const size_t per_row = t.f32.size() / static_cast<size_t>(t.shape[0]);
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        const float* row = t.f32.data() + r * per_row;
        std::vector<int64_t> dims(t.shape.begin() + 1, t.shape.end());
        if (!pooling.empty()) {
          if (dims.size() != 2) throw RuntimeError("pooling reads last_hidden_state as [batch, tokens, hidden]");
          const size_t tokens = size_t(dims[0]), hidden = size_t(dims[1]);
          std::vector<float> v(row, row + hidden);
          if (pooling == "mean") {
            std::vector<double> sum(hidden, 0.0);
            for (size_t j = 0; j < tokens; ++j)
              for (size_t k = 0; k < hidden; ++k) sum[k] += row[j * hidden + k];
            for (size_t k = 0; k < hidden; ++k) v[k] = static_cast<float>(sum[k] / static_cast<double>(tokens));
          }
          out[batch.rows[r]] = OJson::array({OJson(v)});
          continue;
        }
        out[batch.rows[r]] = OJson::array({nested(row, dims, 0)});  // the batch dim of 1 stays, as Python's tolist()
      }
    });
    return out;
  }

  // The values at `data` as nested lists of `dims`.
  static OJson nested(const float* data, const std::vector<int64_t>& dims, size_t d) {
    if (d == dims.size()) return static_cast<double>(*data);
    size_t stride = 1;
    for (size_t k = d + 1; k < dims.size(); ++k) stride *= size_t(dims[k]);
    OJson list = OJson::array();
    if (d + 1 == dims.size()) {
      for (int64_t i = 0; i < dims[d]; ++i) list.push_back(static_cast<double>(data[i]));
      return list;
    }
    for (int64_t i = 0; i < dims[d]; ++i) list.push_back(nested(data + size_t(i) * stride, dims, d + 1));
    return list;
  }

  std::string first_, pooled_;
};

}  // namespace

std::unique_ptr<Pipeline> make_image_feature_extraction(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ImageFeatureExtraction>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
