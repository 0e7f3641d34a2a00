// token-classification (ner). "none" and "simple" reproduce transformers.js' TokenClassificationPipeline
// (tokens whose decoded text is empty — special tokens — and ignore_labels are dropped first; simple
// then groups B-/I- runs); "first", "average" and "max" reproduce Python transformers'
// TokenClassificationPipeline.aggregate_words + group_entities (word-level labels, grouped, then
// ignore_labels dropped), with words taken from the tokenizer's word ids. Every entity carries the
// character span (start, end) of its tokens in the input text, as Python transformers reports it.
#include <algorithm>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

struct Token {
  size_t index;                // position in the encoding
  std::vector<double> scores;  // softmax over labels
  size_t best;
};

// B-/I-/E-/S- prefix and tag, as transformers.js' getTag (anything else counts as I-).
std::pair<char, std::string> tag_of(const std::string& entity) {
  if (entity.size() > 1 && entity[1] == '-' && (entity[0] == 'B' || entity[0] == 'I' || entity[0] == 'E' || entity[0] == 'S'))
    return {entity[0], entity.substr(2)};
  return {'I', entity};
}

class TokenClassification final : public TextPipeline {
 public:
  TokenClassification(AutoModel m, AutoProcessor p)
      : TextPipeline("token-classification", std::move(m), std::move(p)) {}

 private:
  struct Entity {
    std::string entity;
    double score;
    std::vector<int32_t> ids;
    size_t index, start, end;
  };

  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    const std::string& strategy = o.aggregation_strategy;
    if (strategy != "none" && strategy != "simple" && strategy != "first" && strategy != "average" && strategy != "max")
      throw UsageError("aggregation_strategy '" + strategy + "' is not one of none, simple, first, average, max");
    std::vector<std::string> texts;
    for (const auto& in : inputs) texts.push_back(in.text);
    auto enc = processor_.encode(texts);
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    std::vector<std::vector<Token>> tokens(enc.size());
    run_batches(ptrs, o.batch_size, [&](const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t padded) {
      const Tensor& logits = output(outputs, "logits", 3);
      size_t labels = static_cast<size_t>(logits.shape[2]);
      for (size_t r = 0; r < rows.size(); ++r) {
        const auto& e = enc[rows[r]];
        size_t start = row_start(e.ids.size(), padded);
        for (size_t j = 0; j < e.ids.size(); ++j) {
          auto p = softmax(logits.f32.data() + (r * padded + start + j) * labels, labels);
          size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
          tokens[rows[r]].push_back({j, std::move(p), best});
        }
      }
    });
    std::vector<OJson> out;
    for (size_t i = 0; i < enc.size(); ++i) {
      auto entities = strategy == "none" || strategy == "simple" ? token_entities(enc[i], tokens[i], o.ignore_labels)
                                                                 : word_entities(enc[i], tokens[i], strategy);
      OJson list = OJson::array();
      if (strategy == "none") {
        for (const auto& e : entities)
          list.push_back({{"entity", e.entity}, {"score", e.score}, {"index", e.index}, {"word", decode(e.ids, true)}, {"start", e.start}, {"end", e.end}});
      } else {
        for (const auto& g : group(entities))
          if (std::find(o.ignore_labels.begin(), o.ignore_labels.end(), g.entity) == o.ignore_labels.end())
            list.push_back({{"entity_group", g.entity}, {"score", g.score}, {"word", decode(g.ids, true)}, {"start", g.start}, {"end", g.end}});
      }
      out.push_back(std::move(list));
    }
    return out;
  }

  bool is_special(int32_t id) const { return decode({id}, true).empty(); }

  // Token-level entities as transformers.js lists them: ignore_labels and special tokens dropped.
  std::vector<Entity> token_entities(const processors::Encoding& e, const std::vector<Token>& tokens,
                                     const std::vector<std::string>& ignore) const {
    std::vector<Entity> out;
    for (const auto& t : tokens) {
      std::string entity = label(t.best);
      if (std::find(ignore.begin(), ignore.end(), entity) != ignore.end() || is_special(e.ids[t.index])) continue;
      out.push_back({entity, t.scores[t.best], {e.ids[t.index]}, t.index, e.offsets[t.index].first, e.offsets[t.index].second});
    }
    return out;
  }

  // Word-level entities (Python aggregate_words): one per word, labelled by its first token, the
  // average of its tokens' scores, or its most confident token.
  std::vector<Entity> word_entities(const processors::Encoding& e, const std::vector<Token>& tokens, const std::string& strategy) const {
    std::vector<Entity> out;
    for (size_t j = 0; j < tokens.size();) {
      if (!e.word_ids[j] || is_special(e.ids[j])) {
        ++j;
        continue;
      }
      size_t end = j + 1;
      while (end < tokens.size() && e.word_ids[end] == e.word_ids[j] && !is_special(e.ids[end])) ++end;
      size_t best;
      double score;
      if (strategy == "first") {
        best = tokens[j].best, score = tokens[j].scores[best];
      } else if (strategy == "max") {
        size_t top = j;
        for (size_t k = j; k < end; ++k)
          if (tokens[k].scores[tokens[k].best] > tokens[top].scores[tokens[top].best]) top = k;
        best = tokens[top].best, score = tokens[top].scores[best];
      } else {
        std::vector<double> avg(tokens[j].scores.size(), 0.0);
        for (size_t k = j; k < end; ++k)
          for (size_t l = 0; l < avg.size(); ++l) avg[l] += tokens[k].scores[l] / static_cast<double>(end - j);
        best = static_cast<size_t>(std::max_element(avg.begin(), avg.end()) - avg.begin());
        score = avg[best];
      }
      Entity w{label(best), score, {}, j, e.offsets[j].first, e.offsets[end - 1].second};
      for (size_t k = j; k < end; ++k) w.ids.push_back(e.ids[k]);
      out.push_back(std::move(w));
      j = end;
    }
    return out;
  }

  // B-/I- grouping: a run continues while the tag stays the same and no B- (or S-) starts a new one;
  // an E- closes it. Group score is the mean of its members'.
  static std::vector<Entity> group(const std::vector<Entity>& entities) {
    std::vector<Entity> groups;
    std::vector<size_t> counts;
    std::string open;
    bool is_open = false;
    for (const auto& e : entities) {
      auto [prefix, tag] = tag_of(e.entity);
      if (is_open && open == tag && prefix != 'B' && prefix != 'S') {
        Entity& g = groups.back();
        g.score += e.score;
        g.ids.insert(g.ids.end(), e.ids.begin(), e.ids.end());
        g.end = e.end;
        ++counts.back();
        if (prefix == 'E') is_open = false;
      } else {
        groups.push_back({tag, e.score, e.ids, e.index, e.start, e.end});
        counts.push_back(1);
        open = tag;
        is_open = prefix != 'S';
      }
    }
    for (size_t g = 0; g < groups.size(); ++g) groups[g].score /= static_cast<double>(counts[g]);
    return groups;
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_token_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<TokenClassification>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
