// question-answering as Python transformers' QuestionAnsweringPipeline: (question, context) encoded
// with the context truncated into overlapping windows (max_seq_len, doc_stride); per window, tokens
// outside the context are masked, start/end logits are softmaxed (the first token included, then
// zeroed, as both transformers and transformers.js do), spans with start <= end < start +
// max_answer_len are scored start_p * end_p; the best top_k over all windows are answered with the
// context's own characters (start, end). handle_impossible_answer adds the empty answer scored by
// the smallest first-token score. With top_k 1 the result is one object (the empty answer, score 0,
// when no span qualifies), else a list of at most top_k. Scores equal transformers.js' where its rules coincide (one
// window, max_answer_len larger than the context).
#include <algorithm>
#include <limits>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

struct Answer {
  double score;
  size_t start, end;  // code points into the context
};

// The code points [start, end) of UTF-8 text.
std::string substr_code_points(const std::string& s, size_t start, size_t end) {
  size_t cp = 0, from = s.size(), to = s.size();
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cp == start) from = std::min(from, i);
    if (cp == end) {
      to = i;
      break;
    }
    ++cp;
  }
  return from < to ? s.substr(from, to - from) : std::string();
}

class QuestionAnswering final : public TextPipeline {
 public:
  QuestionAnswering(AutoModel m, AutoProcessor p) : TextPipeline("question-answering", std::move(m), std::move(p)) {}

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].question.empty() || inputs[i].context.empty())
        throw UsageError("input " + std::to_string(i + 1) + " needs a non-empty \"question\" and \"context\"");
      pairs.emplace_back(inputs[i].question, inputs[i].context);
    }
    if (o.max_answer_len < 1) throw UsageError("max_answer_len must be at least 1");
    processors::TruncationParams t;
    t.max_length = std::min(o.max_seq_len, processor_.max_length().value_or(o.max_seq_len));
    t.stride = std::min(o.doc_stride, t.max_length / 2);
    t.strategy = processors::TruncationParams::Strategy::kOnlySecond;
    auto enc = processor_.encode_pairs(pairs, t);
    // Every window of every input, in one batched run.
    std::vector<const processors::Encoding*> windows;
    std::vector<size_t> owner;
    for (size_t i = 0; i < enc.size(); ++i) {
      windows.push_back(&enc[i]), owner.push_back(i);
      for (const auto& w : enc[i].overflowing) windows.push_back(&w), owner.push_back(i);
    }
    std::vector<std::vector<Answer>> answers(inputs.size());
    std::vector<double> null_score(inputs.size(), std::numeric_limits<double>::infinity());
    auto special = processor_.all_special_ids();
    run_batches(windows, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t padded) {
      const Tensor& start_logits = output(outputs, "start_logits", 2);
      const Tensor& end_logits = output(outputs, "end_logits", 2);
      for (size_t r = 0; r < rows.size(); ++r) {
        const auto& w = *windows[rows[r]];
        size_t n = w.ids.size(), at = r * padded + row_start(n, padded);
        std::vector<bool> in_context(n);
        std::vector<float> s(n), e(n);
        for (size_t j = 0; j < n; ++j) {
          in_context[j] = w.sequence_ids[j] == 1 && !w.special_tokens_mask[j] &&
                          !std::binary_search(special.begin(), special.end(), w.ids[j]);
          bool keep = in_context[j] || j == 0;  // the first ([CLS]) token stays in the softmax
          s[j] = keep ? start_logits.f32[at + j] : -10000.0f;
          e[j] = keep ? end_logits.f32[at + j] : -10000.0f;
        }
        auto ps = softmax(s.data(), n), pe = softmax(e.data(), n);
        size_t i = owner[rows[r]];
        null_score[i] = std::min(null_score[i], ps[0] * pe[0]);
        for (size_t a = 1; a < n; ++a) {
          if (!in_context[a]) continue;
          for (size_t b = a; b < n && b - a < o.max_answer_len; ++b)
            if (in_context[b]) answers[i].push_back({ps[a] * pe[b], w.offsets[a].first, w.offsets[b].second});
        }
      }
    });
    size_t top_k = o.top_k.value_or(1);
    std::vector<OJson> out;
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto& list = answers[i];
      if (o.handle_impossible_answer) list.push_back({null_score[i], 0, 0});
      size_t k = std::min(top_k, list.size());
      std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(k), list.end(),
                        [](const Answer& a, const Answer& b) { return a.score > b.score; });
      OJson result = OJson::array();
      for (size_t a = 0; a < k; ++a)
        result.push_back({{"answer", substr_code_points(inputs[i].context, list[a].start, list[a].end)},
                          {"score", list[a].score},
                          {"start", list[a].start},
                          {"end", list[a].end}});
      // One answer is an object, as transformers.js returns it, even when no span qualifies: then the
      // empty answer with score 0, as transformers.js 4.3.1 prints (Python transformers returns []).
      if (top_k == 1 && result.empty()) result.push_back({{"answer", ""}, {"score", 0.0}, {"start", 0}, {"end", 0}});
      out.push_back(top_k == 1 ? result[0] : result);
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_question_answering(AutoModel model, AutoProcessor processor) {
  return std::make_unique<QuestionAnswering>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
