// feature-extraction as transformers.js' FeatureExtractionPipeline: last_hidden_state (or logits, or
// token_embeddings), pooled (mean over the attention mask, first token, last token) and optionally
// L2-normalised; each result keeps transformers.js' dims for one text, [1, tokens, hidden] or
// [1, hidden] when pooled. Without options, pooling and normalisation follow the sentence-transformers files
// (1_Pooling/config.json, modules.json) when the model carries them, as sentence-transformers would.
#include <algorithm>
#include <cmath>

#include "modelexport/common/error.h"
#include "modelexport/metadata/task_outputs.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class FeatureExtraction final : public TextPipeline {
 public:
  FeatureExtraction(AutoModel m, AutoProcessor p) : TextPipeline("feature-extraction", std::move(m), std::move(p)) {
    // pipeline() checked the outputs against the task's rule; the rule names the one to read.
    output_ = metadata::rule_output(metadata::task_output_rules("feature-extraction").front(), graph_outputs(model_))
                  .value_or("last_hidden_state");
    if (const std::string* pooling = processor_.files().get("1_Pooling/config.json")) {
      Json json = parse_json_object(*pooling, "1_Pooling/config.json");
      JsonReader c(json, "1_Pooling/config.json");
      if (c.boolean_or("pooling_mode_cls_token", false)) default_pooling_ = "cls";
      else if (c.boolean_or("pooling_mode_mean_tokens", false)) default_pooling_ = "mean";
      else if (c.boolean_or("pooling_mode_lasttoken", false)) default_pooling_ = "last_token";
    }
    if (const std::string* modules = processor_.files().get("modules.json")) {
      Json m = parse_json(*modules, "modules.json");
      for (const auto& module : m)
        if (JsonReader(module, "modules.json").string_or("type", "").find("Normalize") != std::string::npos)
          default_normalize_ = true;
    }
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::string pooling = o.pooling.empty() ? default_pooling_ : o.pooling;
    if (pooling == "first_token") pooling = "cls";
    if (pooling == "eos") pooling = "last_token";
    if (pooling != "none" && pooling != "mean" && pooling != "cls" && pooling != "last_token")
      throw UsageError("pooling '" + pooling + "' is not one of none, mean, cls (first_token), last_token (eos)");
    // The sentence-transformers Normalize module belongs to its pooling; an explicit pooling without
    // an explicit normalize gets transformers.js' default (none).
    bool normalize = o.normalize.value_or(o.pooling.empty() && default_normalize_);
    std::vector<std::string> texts;
    for (const auto& in : inputs) texts.push_back(in.text);
    auto enc = processor_.encode(texts);
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    std::vector<OJson> out(inputs.size());
    run_batches(ptrs, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t padded) {
      const Tensor& h = output(outputs, output_, 3);
      size_t hidden = static_cast<size_t>(h.shape[2]);
      for (size_t r = 0; r < rows.size(); ++r) {
        size_t n = enc[rows[r]].ids.size(), start = row_start(n, padded);
        const float* row = h.f32.data() + (r * padded + start) * hidden;
        std::vector<std::vector<float>> vectors;
        if (pooling == "none") {
          for (size_t j = 0; j < n; ++j) vectors.emplace_back(row + j * hidden, row + (j + 1) * hidden);
        } else if (pooling == "cls" || pooling == "last_token") {
          // The row's own first / last token (transformers.js slices the padded tensor, which is the
          // same for a single input and picks padding in a mixed-length batch).
          const float* v = pooling == "cls" ? row : row + (n - 1) * hidden;
          vectors.emplace_back(v, v + hidden);
        } else {
          // transformers.js mean_pooling: sum(h * mask) / sum(mask).
          std::vector<double> sum(hidden, 0.0);
          for (size_t j = 0; j < n; ++j)
            for (size_t k = 0; k < hidden; ++k) sum[k] += row[j * hidden + k];
          std::vector<float> mean(hidden);
          for (size_t k = 0; k < hidden; ++k) mean[k] = static_cast<float>(sum[k] / static_cast<double>(n));
          vectors.push_back(std::move(mean));
        }
        if (normalize)
          for (auto& v : vectors) {
            double norm = 0;
            for (float x : v) norm += static_cast<double>(x) * x;
            norm = std::max(std::sqrt(norm), 1e-12);
            for (auto& x : v) x = static_cast<float>(x / norm);
          }
        // transformers.js returns a Tensor of dims [1, tokens, hidden] (or [1, hidden] pooled) for one
        // text, Python transformers a [1, tokens, hidden] list: the batch dim of 1 stays.
        out[rows[r]] = pooling == "none" ? OJson::array({OJson(vectors)}) : OJson(vectors);
      }
    });
    return out;
  }

  std::string output_, default_pooling_ = "none";
  bool default_normalize_ = false;
};

}  // namespace

std::unique_ptr<Pipeline> make_feature_extraction(AutoModel model, AutoProcessor processor) {
  return std::make_unique<FeatureExtraction>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
