#include "modelexport/metadata/task_outputs.h"

#include <map>

#include "metadata/task_table.h"

namespace modelexport::metadata {
namespace {

std::string_view resolve_alias(std::string_view task) {
  for (const auto& [alias, canonical] : task_table::task_aliases())
    if (alias == task) return canonical;
  return task;
}

std::string dims_text(const format::ValueInfo& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.shape.size(); ++i)
    s += (i ? ", " : "") + (v.shape[i].value >= 0      ? std::to_string(v.shape[i].value)
                            : v.shape[i].param.empty() ? std::string("?")
                                                       : v.shape[i].param);
  return s + "]";
}

}  // namespace

const std::vector<OutputRule>& task_output_rules(std::string_view task) {
  // The pipelines' reads (src/runtime/pipelines: one file per task) and the generation exports.
  static const std::vector<OutputRule> kDecoder = {{{"logits"}, 3, "[batch, sequence, vocabulary]"}};
  static const std::vector<OutputRule> kSeq2seq = {
      {{"logits", "last_hidden_state"},
       3,
       "[batch, sequence, vocabulary] (decoder) or [batch, sequence, hidden] (encoder)"}};
  static const std::map<std::string_view, std::vector<OutputRule>> kRules = {
      {"feature-extraction", {{{"last_hidden_state", "logits", "token_embeddings"}, 3, "[batch, sequence, hidden]"}}},
      {"text-classification", {{{"logits"}, 2, "[batch, labels]"}}},
      {"token-classification", {{{"logits"}, 3, "[batch, sequence, labels]"}}},
      {"fill-mask", {{{"logits"}, 3, "[batch, sequence, vocabulary]"}}},
      {"question-answering", {{{"start_logits"}, 2, "[batch, sequence]"}, {{"end_logits"}, 2, "[batch, sequence]"}}},
      {"zero-shot-classification", {{{"logits"}, 2, "[batch, labels] of an NLI head"}}},
      {"text-generation", kDecoder},
      {"text2text-generation", kSeq2seq},
      {"translation", kSeq2seq},
      {"summarization", kSeq2seq},
      {"image-classification", {{{"logits"}, 2, "[batch, labels]"}}},
  };
  static const std::vector<OutputRule> kNone;
  auto it = kRules.find(resolve_alias(task));
  return it == kRules.end() ? kNone : it->second;
}

std::optional<std::string> rule_output(const OutputRule& rule, const std::vector<format::ValueInfo>& outputs) {
  for (auto name : rule.names)
    for (const auto& o : outputs)
      if (o.name == name) return o.name;
  return std::nullopt;
}

std::string task_outputs_mismatch(std::string_view task, const std::vector<format::ValueInfo>& outputs) {
  std::string pipeline = "the " + std::string(resolve_alias(task)) + " pipeline";
  for (const auto& rule : task_output_rules(task)) {
    auto name = rule_output(rule, outputs);
    if (!name) {
      std::string wanted, found;
      for (auto n : rule.names) wanted += (wanted.empty() ? "'" : " or '") + std::string(n) + "'";
      for (const auto& o : outputs) found += (found.empty() ? "" : ", ") + o.name + " " + dims_text(o);
      return pipeline + " needs an output " + wanted + " " + std::string(rule.layout) + "; this model has " +
             (found.empty() ? std::string("no outputs") : found) + ": the model is not made for this task";
    }
    for (const auto& o : outputs) {
      if (o.name != *name || !o.has_shape || o.shape.size() == rule.rank) continue;
      return pipeline + " needs '" + o.name + "' as " + std::string(rule.layout) + "; this model's is " + dims_text(o) +
             ": the model is not made for this task";
    }
  }
  return {};
}

}  // namespace modelexport::metadata
