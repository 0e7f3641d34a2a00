// What a task's pipeline reads from a model's graph outputs: one rule, used by `validate` (on the
// graph the format layer scans) and by the runtime's pipelines (on what ONNX Runtime reports), so a
// file validate accepts for a task is one `run` accepts for it.
//
//   format::OnnxFile model("model.onnx");
//   std::string why = task_outputs_mismatch("fill-mask", model.graph().outputs);
//   if (!why.empty()) std::cerr << why << "\n";   // "the fill-mask pipeline needs 'logits' as [batch, sequence,
//   vocabulary]; ..."
//
// Rules exist for the pipelines modelexport runs (feature-extraction, text-classification,
// token-classification, fill-mask, question-answering, zero-shot-classification) and for the
// generation tasks, whose exports are known (design: a decoder gives logits [batch, sequence,
// vocabulary]; an Optimum encoder_model.onnx of a seq2seq pair gives last_hidden_state). Other tasks
// have no rule and always fit. Thread-safe (constant tables).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/format/onnx_file.h"

namespace modelexport::metadata {

// One output a pipeline reads: the first of `names` the graph has is the one read, and it must have
// `rank` dimensions (`layout` names them for messages).
struct OutputRule {
  std::vector<std::string_view> names;
  size_t rank = 0;
  std::string_view layout;
};

// The outputs `task` reads (aliases resolved); empty when there is no rule for it.
const std::vector<OutputRule>& task_output_rules(std::string_view task);
// The output of `outputs` that `rule` reads, if the graph has one of its names.
std::optional<std::string> rule_output(const OutputRule& rule, const std::vector<format::ValueInfo>& outputs);
// Why `outputs` do not fit `task`: names the task, the output and its dims (or the outputs there
// are), ending "the model is not made for this task". Empty when they fit or there is no rule. An
// output whose shape the graph does not declare fits any rank.
std::string task_outputs_mismatch(std::string_view task, const std::vector<format::ValueInfo>& outputs);

}  // namespace modelexport::metadata
