#include "modelexport/metadata/validate.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/sha256.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/task.h"
#include "modelexport/metadata/task_outputs.h"

namespace modelexport::metadata {
namespace {

class Checker {
 public:
  Checker(const format::OnnxFile& model, ValidationReport& report) : model_(model), report_(report) {}

  void error(const std::string& check, const std::string& msg) { report_.findings.push_back({"error", check, msg}); }
  void warn(const std::string& check, const std::string& msg) { report_.findings.push_back({"warning", check, msg}); }

  std::optional<Json> json(const ModelMetadata& m, std::string_view key) {
    auto v = m.get(key);
    if (!v) return std::nullopt;
    try {
      return parse_json(*v, "metadata key " + std::string(key));
    } catch (const MetadataReadError&) {
      return std::nullopt;  // reported by the schema check
    }
  }

  void schema(const ModelMetadata& m) {
    for (const auto& [key, e] : m.entries)
      if (auto why = m.decode_error(key); !why.empty()) error("compression", why);
    for (const auto& key : m.duplicates) error("schema", "key '" + key + "' is stored more than once");
    if (auto why = m.version_warning(); !why.empty()) error("schema", why);
    else if (auto version = m.get(keys::kVersion); version && *version != kSchemaVersion)
      warn("schema", "hf_metadata_version is '" + *version +
                         "', a minor version this tool does not know (it reads schema " + std::string(kSchemaVersion) +
                         "); keys it does not know are kept as is");
    for (const auto& spec : schema_keys())
      if (spec.required && !m.has(spec.key))
        error("schema", "required key '" + std::string(spec.key) + "' is missing");
    for (const auto& [key, e] : m.entries) {
      auto value = m.get(key);
      if (!value) continue;  // reported as a compression finding
      auto spec = find_key(key);
      if (!spec) continue;
      if (spec->kind == ValueKind::kJsonObject || spec->kind == ValueKind::kJson) {
        try {
          Json j = parse_json(*value, "metadata key " + key);
          if (spec->kind == ValueKind::kJsonObject && !j.is_object())
            error("schema", "key '" + key + "': expected a JSON object, found " + j.type_name());
        } catch (const MetadataReadError& e) {
          error("schema", e.what());
        }
      } else if (spec->kind == ValueKind::kText && value->empty()) {
        error("schema", "key '" + key + "' is empty");
      }
    }
    for (const auto& [key, value] : m.foreign)
      if (key.rfind("hf_", 0) == 0) warn("schema", "unknown key '" + key + "' (not in schema v2; kept as is)");
  }

  void manifest(const ModelMetadata& m) {
    std::vector<ManifestEntry> files;
    try {
      files = m.manifest();
    } catch (const MetadataReadError& e) {
      error("manifest", e.what());
      return;
    }
    std::set<std::string> listed;
    for (const auto& f : files) {
      listed.insert(f.key);
      if (!is_safe_relative_path(f.name)) {
        error("manifest", "file name '" + f.name + "' leaves the model folder (absolute or '..'); unpack would refuse it");
        continue;
      }
      if (!m.has(f.key)) {
        error("manifest", f.name + ": key '" + f.key + "' is listed but not stored");
        continue;
      }
      auto value = m.get(f.key);
      if (!value) continue;  // reported as a compression finding
      const std::string& bytes = *value;
      if (bytes.size() != f.size)
        error("manifest", f.name + ": size " + std::to_string(bytes.size()) + " differs from the manifest's " + std::to_string(f.size));
      else if (sha256_hex(bytes) != f.sha256)
        error("manifest", f.name + ": sha256 does not match the manifest (the value was changed after embedding)");
      if (f.name.size() > 5 && f.name.substr(f.name.size() - 5) == ".json") {
        try {
          parse_json(bytes, f.name);
        } catch (const MetadataReadError& e) {
          error("manifest", e.what());
        }
      }
    }
    for (const auto& [key, e] : m.entries) {
      auto spec = find_key(key);
      if (spec && spec->kind == ValueKind::kFile && !listed.count(key))
        warn("manifest", "key '" + key + "' holds a file that the manifest does not list");
    }
  }

  void task(const ModelMetadata& m) {
    auto task = m.get(keys::kPipelineTask);
    if (!task) return;  // reported by the schema check
    std::string canonical;
    try {
      canonical = canonical_task(*task);
    } catch (const UsageError& e) {
      error("task", std::string("hf_pipeline_task: ") + e.what());
      return;
    }
    // The outputs the task's pipeline reads: the rule `run` applies (task_outputs.h).
    if (auto why = task_outputs_mismatch(canonical, model_.graph().outputs); !why.empty())
      error("task", "hf_pipeline_task '" + canonical + "': " + why);
    auto config = m.get(keys::kModelConfig);
    if (!config) return;
    std::optional<TaskDetection> detected;
    try {
      detected = detect_task(*config);
    } catch (const Error&) {
      warn("task", "the task '" + canonical + "' cannot be cross-checked: the config does not identify one");
      return;
    }
    auto ok = compatible_tasks(detected->task);
    if (std::find(ok.begin(), ok.end(), canonical) != ok.end()) return;
    bool overridden = false;
    if (auto ec = json(m, keys::kExportConfig); ec && ec->is_object())
      overridden = ec->contains("task_method") && (*ec)["task_method"] == "override";
    std::string msg = "hf_pipeline_task '" + canonical + "' is inconsistent with the architecture " +
                      (detected->architecture.empty() ? std::string("") : "'" + detected->architecture + "' ") + "(expected " +
                      detected->task + ")";
    if (overridden) warn("task", msg + "; it was set with --task");
    else error("task", msg);
  }

  // The level the file says it was embedded at (export_config.level); full when it does not say.
  Level level(const ModelMetadata& m) {
    auto ec = json(m, keys::kExportConfig);
    if (!ec || !ec->is_object() || !ec->contains("level")) return Level::kFull;
    const Json& l = (*ec)["level"];
    try {
      if (l.is_string()) return parse_level(l.get<std::string>());
    } catch (const UsageError&) {}
    warn("schema", "export_config.level is " + l.dump() + ", not minimal, essential or full; checked as full");
    return Level::kFull;
  }

  // A processor's settings: its embedded file, else the essential settings feature_engineering
  // records for `component` (all a minimal file has).
  std::optional<Json> processor_settings(const ModelMetadata& m, std::string_view key, const char* component) {
    if (auto file = json(m, key); file && file->is_object()) return file;
    auto fe = json(m, keys::kFeatureEngineering);
    if (fe && fe->is_object() && fe->contains("config") && (*fe)["config"].is_object() &&
        (*fe)["config"].contains(component) && (*fe)["config"][component].is_object())
      return (*fe)["config"][component];
    return std::nullopt;
  }

  // A processor file the graph needs is absent: an error, except at the minimal level, which embeds
  // no files by design (the file is then valid at its level and says so).
  void missing_processor(Level level, const std::string& msg) {
    if (level == Level::kMinimal)
      warn("processor",
           msg + "; the minimal level embeds no processor files (embed with --level full for a self-contained model)");
    else error("processor", msg);
  }

  void processor(const ModelMetadata& m, Level lvl) {
    const auto& inputs = model_.graph().inputs;
    auto input = [&](std::string_view name) -> const format::ValueInfo* {
      for (const auto& i : inputs)
        if (i.name == name) return &i;
      return nullptr;
    };
    auto config = json(m, keys::kModelConfig);
    bool text = input("input_ids") || input("attention_mask") || input("token_type_ids");
    if (text) text_inputs(m, lvl, config, input("token_type_ids") != nullptr);
    if (const auto* pv = input("pixel_values")) image_inputs(m, lvl, config, *pv);
    if (const auto* f = input("input_features")) audio_inputs(m, lvl, f, "input_features");
    if (const auto* f = input("input_values")) audio_inputs(m, lvl, f, "input_values");
  }

  void text_inputs(const ModelMetadata& m, Level lvl, const std::optional<Json>& config, bool has_token_type_ids) {
    auto tokenizer_json = json(m, keys::kTokenizerJson);
    bool legacy = m.has("hf_file:vocab.txt") || m.has("hf_file:vocab.json") ||
                  std::any_of(m.entries.begin(), m.entries.end(), [](const auto& kv) {
                    return kv.first.size() > 6 && kv.first.substr(kv.first.size() - 6) == ".model";
                  });
    if (auto tc = processor_settings(m, keys::kTokenizerConfig, "tokenizer");
        tc && tc->contains("model_input_names") && (*tc)["model_input_names"].is_array()) {
      const auto& names = (*tc)["model_input_names"];
      bool tokenizer_gives_tt = std::find(names.begin(), names.end(), "token_type_ids") != names.end();
      if (has_token_type_ids && !tokenizer_gives_tt)
        error("processor", "the graph takes token_type_ids but the tokenizer's model_input_names do not produce them");
    }
    if (!tokenizer_json && !legacy) {
      if (m.has(keys::kTokenizerConfig))
        warn("processor", "the model takes token inputs but no tokenizer vocabulary is embedded (tokenizer.json or a "
                          "vocabulary file); embed with --level full to make it self-contained");
      else
        missing_processor(lvl, "the model takes token inputs (input_ids/attention_mask) but no tokenizer is embedded");
      return;
    }
    if (tokenizer_json && config && config->contains("vocab_size") && (*config)["vocab_size"].is_number_integer()) {
      int64_t vocab = (*config)["vocab_size"].get<int64_t>();
      int64_t max_id = max_token_id(*tokenizer_json);
      if (max_id >= vocab)
        error("processor", "tokenizer.json produces token id " + std::to_string(max_id) + " but config.json vocab_size is " +
                               std::to_string(vocab) + " (ids must be < vocab_size)");
    }
  }

  static int64_t max_token_id(const Json& tok) {
    int64_t max_id = -1;
    if (tok.contains("model") && tok["model"].is_object() && tok["model"].contains("vocab")) {
      const auto& vocab = tok["model"]["vocab"];
      if (vocab.is_object())
        for (const auto& [piece, id] : vocab.items())
          if (id.is_number_integer()) max_id = std::max(max_id, id.get<int64_t>());
      if (vocab.is_array()) max_id = std::max<int64_t>(max_id, static_cast<int64_t>(vocab.size()) - 1);
    }
    if (tok.contains("added_tokens") && tok["added_tokens"].is_array())
      for (const auto& t : tok["added_tokens"])
        if (t.is_object() && t.contains("id") && t["id"].is_number_integer()) max_id = std::max(max_id, t["id"].get<int64_t>());
    return max_id;
  }

  // Expected (height, width) from an image processor config, if it fixes them.
  static std::optional<std::pair<int64_t, int64_t>> image_size(const Json& p) {
    auto hw = [](const Json& s) -> std::optional<std::pair<int64_t, int64_t>> {
      if (s.is_number_integer()) return std::pair{s.get<int64_t>(), s.get<int64_t>()};
      if (s.is_object() && s.contains("height") && s.contains("width") && s["height"].is_number_integer() &&
          s["width"].is_number_integer())
        return std::pair{s["height"].get<int64_t>(), s["width"].get<int64_t>()};
      return std::nullopt;  // shortest_edge: the size depends on the image
    };
    bool center_crop =
        p.contains("do_center_crop") && p["do_center_crop"].is_boolean() && p["do_center_crop"].get<bool>();
    if (center_crop && p.contains("crop_size")) return hw(p["crop_size"]);
    if (p.contains("size")) return hw(p["size"]);
    return std::nullopt;
  }

  // Image channels from config.json (num_channels, or a vision tower's num_channels / in_channels).
  static int64_t config_channels(const std::optional<Json>& config) {
    if (!config || !config->is_object()) return -1;
    auto channels_of = [](const Json& c, int64_t fallback) {
      for (const char* k : {"num_channels", "in_channels"})
        if (c.contains(k) && c[k].is_number_integer()) return c[k].get<int64_t>();
      return fallback;
    };
    int64_t channels = channels_of(*config, -1);
    if (config->contains("vision_config") && (*config)["vision_config"].is_object())
      channels = channels_of((*config)["vision_config"], channels);
    return channels;
  }

  static int64_t int_setting(const Json& p, const char* key) {
    return p.contains(key) && p[key].is_number_integer() ? p[key].get<int64_t>() : -1;
  }

  void image_inputs(const ModelMetadata& m, Level lvl, const std::optional<Json>& config, const format::ValueInfo& pv) {
    auto p = processor_settings(m, keys::kImageProcessorConfig, "image_processor");
    bool embedded = json(m, keys::kImageProcessorConfig).has_value();
    if (!p) {
      missing_processor(
          lvl, "the graph takes pixel_values but no image processor config (preprocessor_config.json) is embedded");
      return;
    }
    int64_t channels = config_channels(config);
    if (pv.shape.size() == 2) {
      // Patches flattened by the processor, as Qwen2-VL's image processor emits them:
      // [num_patches, channels * temporal_patch_size * patch_size * patch_size]
      // (transformers Qwen2VLImageProcessor._preprocess, flatten_patches).
      int64_t patch = int_setting(*p, "patch_size"), temporal = int_setting(*p, "temporal_patch_size");
      if (patch <= 0 || temporal <= 0) {
        if (embedded)
          error("processor",
                "pixel_values is [num_patches, features] (flattened patches) but the image processor names no "
                "patch_size and temporal_patch_size to produce them");
        return;
      }
      int64_t c = channels > 0 ? channels : 3;
      int64_t features = c * temporal * patch * patch;
      if (pv.shape[1].value >= 0 && pv.shape[1].value != features)
        error("processor", "pixel_values has " + std::to_string(pv.shape[1].value) +
                               " features per patch but the image processor produces " + std::to_string(features) +
                               " (" + std::to_string(c) + " channels x temporal_patch_size " +
                               std::to_string(temporal) + " x patch_size " + std::to_string(patch) + "^2)");
      return;
    }
    if (pv.shape.size() != 4) {
      error("processor",
            "pixel_values has rank " + std::to_string(pv.shape.size()) +
                "; expected [batch, channels, height, width] or flattened patches [num_patches, features]");
      return;
    }
    auto expected = image_size(*p);
    const auto& h = pv.shape[2];
    const auto& w = pv.shape[3];
    if (expected && h.value >= 0 && w.value >= 0 && (h.value != expected->first || w.value != expected->second))
      error("processor", "pixel_values is " + std::to_string(h.value) + "x" + std::to_string(w.value) +
                             " but the image processor produces " + std::to_string(expected->first) + "x" +
                             std::to_string(expected->second));
    if (channels > 0 && pv.shape[1].value >= 0 && channels != pv.shape[1].value)
      error("processor", "pixel_values has " + std::to_string(pv.shape[1].value) +
                             " channels but config.json num_channels is " + std::to_string(channels));
  }

  void audio_inputs(const ModelMetadata& m, Level lvl, const format::ValueInfo* input, const std::string& name) {
    auto p = processor_settings(m, keys::kFeatureExtractorConfig, "feature_extractor");
    if (!p) {
      missing_processor(
          lvl, "the graph takes " + name + " but no feature extractor config (preprocessor_config.json) is embedded");
      return;
    }
    if (name == "input_features" && input->shape.size() == 3 && input->shape[1].value >= 0) {
      int64_t bins = int_setting(*p, "feature_size");
      if (bins <= 0) bins = int_setting(*p, "num_mel_bins");
      if (bins > 0 && bins != input->shape[1].value)
        error("processor", "input_features has " + std::to_string(input->shape[1].value) +
                               " mel bins but the feature extractor produces " + std::to_string(bins));
    }
  }

 private:
  const format::OnnxFile& model_;
  ValidationReport& report_;
};

}  // namespace

bool ValidationReport::valid() const {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == "error"; });
}

ValidationReport validate_model(const format::OnnxFile& model, const ValidationOptions& options) {
  ValidationReport report;
  Checker c(model, report);
  for (const auto& problem : model.external_data_problems()) c.error("format", problem);
  ModelMetadata m = read_metadata(model);
  if (!m.has_schema()) {
    c.error("schema", "no modelexport metadata (hf_metadata_version is missing); run `modelexport embed-metadata` first");
    return report;
  }
  Level level = c.level(m);
  report.level = std::string(level_name(level));
  if (options.metadata) {
    report.checks_run.insert(report.checks_run.end(), {"schema", "compression", "manifest"});
    c.schema(m);
    c.manifest(m);
  }
  if (options.task) {
    report.checks_run.push_back("task");
    c.task(m);
  }
  if (options.processor) {
    report.checks_run.push_back("processor");
    c.processor(m, level);
  }
  return report;
}

}  // namespace modelexport::metadata
