// fill-mask as transformers.js' FillMaskPipeline: softmax over the vocabulary at the mask token, top_k
// tokens with the decoded token and the whole sequence with it filled in. From Python transformers:
// `targets` (score only these tokens: the vocabulary entry, else the first token of the target's
// tokenization) and one result list per mask when a text holds several masks.
#include <algorithm>
#include <numeric>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class FillMask final : public TextPipeline {
 public:
  FillMask(AutoModel m, AutoProcessor p) : TextPipeline("fill-mask", std::move(m), std::move(p)) {
    auto id = processor_.special_token_id("mask_token");
    // Folders whose tokenizer_config names no mask token (distilbert-base-uncased's): the special
    // added token transformers' tokenizer classes default to.
    for (const char* fallback : {"[MASK]", "<mask>"})
      if (!id) id = processor_.tokenizer().token_to_id(fallback);
    if (!id) throw ProcessorReconstructionError("fill-mask needs a mask token; tokenizer_config.json names none and the vocabulary has no [MASK] or <mask>");
    mask_id_ = *id;
    mask_token_ = processor_.tokenizer().id_to_token(mask_id_).value_or("");
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::vector<int32_t> targets;
    for (const auto& t : o.targets) {
      std::optional<int32_t> id = processor_.tokenizer().token_to_id(t);
      if (!id) {
        auto e = processor_.tokenizer().encode(t, false);
        if (e.ids.empty()) throw UsageError("fill-mask target '" + t + "' is no token and tokenizes to nothing");
        id = e.ids[0];
      }
      targets.push_back(*id);
    }
    std::vector<std::string> texts;
    for (const auto& in : inputs) texts.push_back(in.text);
    auto enc = processor_.encode(texts);
    for (size_t i = 0; i < enc.size(); ++i)
      if (std::find(enc[i].ids.begin(), enc[i].ids.end(), mask_id_) == enc[i].ids.end())
        throw UsageError("input " + std::to_string(i + 1) + " has no mask token " + mask_token_ + ": " + texts[i].substr(0, 80));
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    size_t top_k = o.top_k.value_or(5);
    std::vector<OJson> out(inputs.size());
    run_batches(ptrs, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t padded) {
      const Tensor& logits = output(outputs, "logits", 3);
      size_t vocab = static_cast<size_t>(logits.shape[2]);
      for (size_t r = 0; r < rows.size(); ++r) {
        const auto& e = enc[rows[r]];
        size_t start = row_start(e.ids.size(), padded);
        OJson per_mask = OJson::array();
        for (size_t j = 0; j < e.ids.size(); ++j) {
          if (e.ids[j] != mask_id_) continue;
          auto p = softmax(logits.f32.data() + (r * padded + start + j) * vocab, vocab);
          std::vector<int32_t> candidates = targets;
          if (candidates.empty()) {
            candidates.resize(vocab);
            std::iota(candidates.begin(), candidates.end(), 0);
          }
          for (int32_t c : candidates)
            if (c < 0 || static_cast<size_t>(c) >= vocab) throw RuntimeError("target id " + std::to_string(c) + " is outside the logits");
          size_t k = std::min(top_k, candidates.size());
          std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k), candidates.end(),
                            [&](int32_t a, int32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
          OJson list = OJson::array();
          for (size_t c = 0; c < k; ++c) {
            std::vector<int32_t> filled = e.ids;
            filled[j] = candidates[c];
            list.push_back({{"score", p[candidates[c]]}, {"token", candidates[c]}, {"token_str", decode({candidates[c]}, false)},
                            {"sequence", decode(filled, true)}});
          }
          per_mask.push_back(std::move(list));
        }
        out[rows[r]] = per_mask.size() == 1 ? per_mask[0] : per_mask;
      }
    });
    return out;
  }

  int32_t mask_id_ = 0;
  std::string mask_token_;
};

}  // namespace

std::unique_ptr<Pipeline> make_fill_mask(AutoModel model, AutoProcessor processor) {
  return std::make_unique<FillMask>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
