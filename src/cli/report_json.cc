#include "cli/report_json.h"

#include "cli/output.h"
#if MODELEXPORT_WITH_RUNTIME
#include "modelexport/runtime/compare.h"
#include "modelexport/runtime/fp16_range.h"
#endif

namespace modelexport::cli {

Json embed_report_json(const metadata::EmbedReport& r) {
  double ratio = r.raw_bytes ? static_cast<double>(r.stored_bytes) / static_cast<double>(r.raw_bytes) : 1.0;
  Json entries = Json::array();
  for (const auto& e : r.entries)
    entries.push_back({{"key", e.key},
                       {"file", e.file},
                       {"raw_bytes", e.raw_bytes},
                       {"stored_bytes", e.stored_bytes},
                       {"compressed", e.compressed}});
  return {{"input", r.input.string()},
          {"output", r.output.string()},
          {"source", r.source_dir},
          {"sources", r.source_dirs},
          {"level", metadata::level_name(r.level)},
          {"task", r.task.task},
          {"task_method", r.task.method},
          {"task_detail", r.task.detail},
          {"entries", entries},
          {"metadata_raw_bytes", r.raw_bytes},
          {"metadata_stored_bytes", r.stored_bytes},
          {"compression_ratio", ratio},
          {"model_bytes_before", r.model_bytes_before},
          {"model_bytes_after", r.model_bytes_after},
          {"replaced_keys", r.replaced_keys},
          {"preserved_keys", r.preserved_keys},
          {"copied_external_data", r.copied_external_data},
          {"warnings", r.warnings}};
}

Json validation_report_json(const std::string& file, const metadata::ValidationReport& r) {
  return {{"file", file},
          {"valid", r.valid()},
          {"level", r.level.empty() ? Json(nullptr) : Json(r.level)},
          {"checks", r.checks_run},
          {"findings", findings_json(r)}};
}

Json layout_report_json(const metadata::LayoutReport& r) {
  Json files = Json::array();
  for (const auto& f : r.files) files.push_back({{"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
  return {{"out_dir", r.out_dir.string()}, {"files", files}, {"warnings", r.warnings}};
}

Json metadata_values_json(const metadata::ModelMetadata& m) {
  Json meta = Json::object();
  for (const auto& [key, e] : m.entries)
    if (m.decode_error(key).empty()) meta[key] = metadata_value_json(m, key);
  return meta;
}

Json metadata_errors_json(const metadata::ModelMetadata& m) {
  Json errors = Json::object();
  for (const auto& [key, e] : m.entries)
    if (auto why = m.decode_error(key); !why.empty()) errors[key] = why;
  return errors;
}

#if MODELEXPORT_WITH_RUNTIME
Json quantize_report_json(const std::string& input, const std::string& output, const quantize::QuantizeOptions& options,
                          const quantize::QuantizeReport& r, const runtime::Agreement* agreement,
                          double check_seconds) {
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"op", n.op},
                     {"node", n.node},
                     {"weight", n.weight},
                     {"quantized", n.quantized},
                     {"reason", n.reason},
                     {"K", n.K},
                     {"N", n.N}});
  Json out = {{"input", input},
              {"output", output},
              {"dtype", options.dtype},
              {"block_size", options.block_size},
              {"symmetric", options.symmetric},
              {"accuracy_level", options.accuracy_level},
              {"targets", options.targets.empty() ? std::vector<std::string>{"cpu"} : options.targets},
              {"quantized", r.quantized},
              {"skipped", r.skipped},
              {"nodes", nodes},
              {"size_before", r.size_before},
              {"size_after", r.size_after},
              {"size_ratio", static_cast<double>(r.size_after) / static_cast<double>(r.size_before)},
              {"seconds", r.seconds},
              {"weights_mb_per_s", r.seconds > 0 ? static_cast<double>(r.weight_bytes) / 1e6 / r.seconds : 0.0},
              {"fp16",
               {{"initializers_converted", r.fp16_initializers},
                {"initializers_kept_fp32", r.fp32_initializers_kept},
                {"fp32_nodes", r.fp32_nodes},
                {"casts_added", r.casts_added}}}};
  if (agreement) {
    Json outputs = Json::array();
    for (const auto& o : agreement->outputs)
      outputs.push_back({{"name", o.name},
                         {"max_abs_error", o.max_abs_error},
                         {"cosine", o.cosine},
                         {"top1_agreement", o.top1_agreement}});
    out["accuracy"] = {{"inputs", agreement->inputs}, {"outputs", outputs}, {"seconds", check_seconds}};
    if (!agreement->skipped.empty()) out["accuracy"]["skipped"] = agreement->skipped;
  }
  return out;
}

Json fp16_range_json(const runtime::Fp16RangeReport& r) {
  auto findings = [](const std::vector<runtime::Fp16RangeFinding>& list, bool source) {
    Json a = Json::array();
    for (const auto& f : list) {
      Json j = {{"node", f.node}, {"op", f.op}, {"output", f.output}, {"max_abs", f.max_abs}, {"elements", f.elements}};
      j[source ? "past_float16_max" : "inf_or_nan"] = f.out_of_range;
      if (source) j["type_in_result"] = f.result_type;
      a.push_back(j);
    }
    return a;
  };
  Json out = {{"inputs", r.inputs},
              {"float16_max", runtime::kFloat16Max},
              {"flagged", r.flagged()},
              {"source_tensors", r.source_tensors},
              {"result_tensors", r.result_tensors},
              {"source", findings(r.source, true)},
              {"result", findings(r.result, false)},
              {"source_carried", r.source_carried},
              {"result_carried", r.result_carried}};
  if (!r.skipped.empty()) out["skipped"] = r.skipped;
  if (!r.note.empty()) out["note"] = r.note;
  return out;
}
#endif

}  // namespace modelexport::cli
