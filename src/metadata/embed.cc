#include "modelexport/metadata/embed.h"

#include <future>
#include <set>

#include "common/clock.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/sha256.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/format/onnx_file.h"

namespace modelexport::metadata {
namespace fs = std::filesystem;

namespace {

const SourceFile* find_file(const CollectedFiles& c, std::string_view name) {
  for (const auto& f : c.files)
    if (f.name == name) return &f;
  return nullptr;
}

// config.json reduced to what the minimal level promises: task, architecture, labels, shapes.
Json reduce_config(const Json& config) {
  static const char* kKeep[] = {"architectures", "model_type", "id2label", "label2id", "num_labels", "problem_type",
                                "hidden_size", "d_model", "max_position_embeddings", "n_positions", "vocab_size",
                                "type_vocab_size", "image_size", "num_channels", "patch_size", "num_mel_bins",
                                "max_source_positions", "is_encoder_decoder", "projection_dim", "transformers_version",
                                "pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id"};
  Json out = Json::object();
  for (const char* k : kKeep)
    if (config.contains(k)) out[k] = config[k];
  for (const char* sub : {"text_config", "vision_config", "audio_config"})
    if (config.contains(sub) && config[sub].is_object()) {
      Json reduced = reduce_config(config[sub]);
      if (!reduced.empty()) out[sub] = reduced;
    }
  return out;
}

Json pick(const Json& obj, std::initializer_list<const char*> keys) {
  Json out = Json::object();
  for (const char* k : keys)
    if (obj.contains(k)) out[k] = obj[k];
  return out;
}

// Pooling mode from a sentence-transformers 1_Pooling/config.json.
std::string pooling_mode(const Json& pooling) {
  static const std::pair<const char*, const char*> kModes[] = {
      {"pooling_mode_cls_token", "cls"}, {"pooling_mode_mean_tokens", "mean"}, {"pooling_mode_max_tokens", "max"},
      {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len"}, {"pooling_mode_weightedmean_tokens", "weightedmean"},
      {"pooling_mode_lasttoken", "lasttoken"}};
  for (const auto& [key, mode] : kModes)
    if (pooling.value(key, false)) return mode;
  return "";
}

}  // namespace

MetadataBundle build_metadata(const HfSource& source, Level level, const std::string& task_override,
                              const CompressionOptions& compression) {
  CollectedFiles collected = collect_files(source, level);
  // The minimal level still needs config.json (and the pooling/tokenizer configs) to describe the model.
  CollectedFiles essentials = level == Level::kMinimal ? collect_files(source, Level::kEssential) : collected;
  MetadataBundle b;
  b.warnings = collected.warnings;

  const SourceFile* config_file = find_file(essentials, "config.json");
  Json config = parse_json_object(config_file->bytes, (source.dir / "config.json").string());

  TaskHints hints;
  if (fs::exists(source.dir / "README.md")) hints.model_card_pipeline_tag = model_card_pipeline_tag(read_file(source.dir / "README.md"));
  hints.sentence_transformers = find_file(essentials, "modules.json") != nullptr;
  if (!task_override.empty()) {
    b.task = {canonical_task(task_override), "override", "", "given with --task"};
    if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty() &&
        config["architectures"][0].is_string())
      b.task.architecture = config["architectures"][0].get<std::string>();
  } else {
    b.task = detect_task(config_file->bytes, hints);
  }

  // hf_pipeline_config: what a pipeline needs beyond the processor.
  Json pipeline = Json::object();
  pipeline["task"] = b.task.task;
  if (!b.task.architecture.empty()) pipeline["architecture"] = b.task.architecture;
  if (config.contains("model_type")) pipeline["model_type"] = config["model_type"];
  for (const char* k : {"id2label", "label2id", "problem_type", "num_labels"})
    if (config.contains(k)) pipeline[k] = config[k];
  if (const SourceFile* pool = find_file(essentials, "1_Pooling/config.json")) {
    Json p = parse_json_object(pool->bytes, "1_Pooling/config.json");
    Json pooling = Json::object();
    if (auto mode = pooling_mode(p); !mode.empty()) pooling["mode"] = mode;
    if (p.contains("word_embedding_dimension")) pooling["dimension"] = p["word_embedding_dimension"];
    bool normalize = false;
    if (const SourceFile* modules = find_file(essentials, "modules.json"))
      normalize = modules->bytes.find("sentence_transformers.models.Normalize") != std::string::npos;
    pooling["normalize"] = normalize;
    pipeline["pooling"] = pooling;
  }

  // feature_engineering: {type, config} with each processor component's essential settings.
  Json components = Json::object();
  if (const SourceFile* tc = find_file(essentials, "tokenizer_config.json")) {
    Json t = parse_json_object(tc->bytes, "tokenizer_config.json");
    components["tokenizer"] = pick(t, {"tokenizer_class", "model_max_length", "padding_side", "truncation_side",
                                       "do_lower_case", "model_input_names", "add_prefix_space"});
  } else if (find_file(collected, "tokenizer.json")) {
    components["tokenizer"] = Json::object();
  }
  if (components.contains("tokenizer"))
    components["tokenizer"]["tokenizer_json"] = find_file(collected, "tokenizer.json") != nullptr;
  if (const SourceFile* pre = find_file(essentials, "preprocessor_config.json")) {
    Json p = parse_json_object(pre->bytes, "preprocessor_config.json");
    if (pre->key == keys::kFeatureExtractorConfig)
      components["feature_extractor"] = pick(p, {"feature_extractor_type", "sampling_rate", "feature_size", "num_mel_bins",
                                                 "n_fft", "hop_length", "chunk_length", "nb_max_frames", "padding_value",
                                                 "return_attention_mask", "do_normalize"});
    else
      components["image_processor"] = pick(p, {"image_processor_type", "feature_extractor_type", "size", "crop_size",
                                               "do_resize", "do_center_crop", "do_rescale", "rescale_factor",
                                               "do_normalize", "image_mean", "image_std", "resample", "do_convert_rgb"});
  }
  std::string fe_type = components.empty() ? "none" : components.size() > 1 ? "processor" : components.begin().key();
  Json feature_engineering = {{"type", fe_type}, {"config", components}};

  Json export_config = {{"tool", "modelexport"}, {"tool_version", version()}, {"level", level_name(level)},
                        {"compress", compression.compress}, {"compress_threshold_kb", compression.threshold_bytes / 1024.0},
                        {"source", source.spec}, {"task_method", b.task.method}, {"task_detail", b.task.detail}};
  if (source.from_hub_cache) {
    export_config["hub_id"] = source.hub_id;
    export_config["revision"] = source.revision;
  }

  auto& e = b.entries;
  e.emplace_back(keys::kVersion, kSchemaVersion);
  e.emplace_back(keys::kTimestamp, utc_timestamp());
  if (config.contains("transformers_version") && config["transformers_version"].is_string())
    e.emplace_back(keys::kTransformersVersion, config["transformers_version"].get<std::string>());
  e.emplace_back(keys::kPipelineTask, b.task.task);
  e.emplace_back(keys::kPipelineConfig, pipeline.dump());
  e.emplace_back(keys::kFeatureEngineering, feature_engineering.dump());
  e.emplace_back(keys::kExportConfig, export_config.dump());
  if (level == Level::kMinimal) e.emplace_back(keys::kModelConfig, reduce_config(config).dump());

  Json manifest_files = Json::array();
  for (const auto& f : collected.files) {
    e.emplace_back(f.key, f.bytes);
    b.files.push_back(f.name);
    manifest_files.push_back({{"name", f.name}, {"key", f.key}, {"size", f.bytes.size()}, {"sha256", sha256_hex(f.bytes)}});
  }
  e.emplace_back(keys::kManifest, Json({{"schema", kSchemaVersion}, {"files", manifest_files}}).dump());
  return b;
}

namespace {

// Builds and encodes the entries; fills the report's task, entries and sizes.
format::MetadataEntries prepare_entries(const HfSource& source, const EmbedOptions& options, EmbedReport& r) {
  MetadataBundle bundle = build_metadata(source, options.level, options.task, options.compression);
  r.task = bundle.task;
  r.warnings.insert(r.warnings.end(), bundle.warnings.begin(), bundle.warnings.end());
  // Large values are compressed concurrently (one task each; there are only a few).
  std::vector<std::future<StoredValue>> encoded;
  for (const auto& [key, value] : bundle.entries) {
    bool large = value.size() > options.compression.threshold_bytes;
    encoded.push_back(std::async(large ? std::launch::async : std::launch::deferred,
                                 [&, k = &key, v = &value] { return encode_value(*k, *v, options.compression); }));
  }
  format::MetadataEntries stored;
  for (size_t i = 0; i < bundle.entries.size(); ++i) {
    StoredValue v = encoded[i].get();
    EmbeddedEntry entry{v.key, "", bundle.entries[i].second.size(), v.value.size(), v.compressed};
    r.raw_bytes += entry.raw_bytes;
    r.stored_bytes += entry.stored_bytes;
    r.entries.push_back(std::move(entry));
    stored.emplace_back(std::move(v.key), std::move(v.value));
  }
  // Files are the entries just before the manifest (see build_metadata).
  size_t first_file = r.entries.size() - 1 - bundle.files.size();
  for (size_t i = 0; i < bundle.files.size(); ++i) r.entries[first_file + i].file = bundle.files[i];
  return stored;
}

// When the output goes to another folder, copies the model's external data files beside it.
void copy_external_data(const format::OnnxFile& input, EmbedReport& r) {
  fs::path in_dir = fs::absolute(input.path()).parent_path(), out_dir = fs::absolute(r.output).parent_path();
  if (fs::weakly_canonical(in_dir) == fs::weakly_canonical(out_dir)) {
    for (const auto& loc : input.missing_external_data())
      r.warnings.push_back("external data file '" + loc + "' is missing beside the model");
    return;
  }
  for (const auto& loc : input.graph().external_data_files) {
    if (!is_safe_relative_path(loc))
      throw MetadataEmbeddingError("external data location '" + loc + "' in '" + input.path().string() +
                                   "' is not a plain relative path inside the model's folder");
    fs::path from = in_dir / loc, to = out_dir / loc;
    if (!fs::exists(from)) {
      r.warnings.push_back("external data file '" + loc + "' is missing beside the input; the output cannot load without it");
      continue;
    }
    if (fs::exists(to)) {
      if (fs::file_size(to) != fs::file_size(from))
        throw MetadataEmbeddingError("'" + to.string() + "' exists and differs from the model's external data '" +
                                     from.string() + "'; refusing to overwrite it");
      continue;
    }
    fs::create_directories(to.parent_path());
    copy_file_atomic(from, to);
    r.copied_external_data.push_back(loc);
  }
}

}  // namespace

EmbedReport embed_metadata(const fs::path& model, std::string_view source_spec, const EmbedOptions& options) {
  format::OnnxFile input(model);
  EmbedReport r;
  r.input = model;
  r.output = options.output.empty() ? model : options.output;
  r.level = options.level;
  r.model_bytes_before = input.size();
  std::error_code ec;
  if (fs::is_directory(r.output, ec))
    throw UsageError("output '" + r.output.string() + "' is a directory; expected an .onnx file path");

  HfSource source = resolve_source(source_spec);
  r.source_dir = source.dir.string();
  for (const auto& p : input.header().metadata_props)
    (is_owned_key(p.key) ? r.replaced_keys : r.preserved_keys).emplace_back(p.key);

  try {
    copy_external_data(input, r);  // external data must stay reachable from the output's folder

    // The kept fields (graph included) are copied on a second thread while the metadata is built and
    // compressed here: the copy is kernel work, the metadata CPU work, so they overlap.
    format::ModelRewriter writer(input, r.output, is_owned_key, options.show_progress);
    std::atomic<bool> cancel{false};
    auto copy = std::async(std::launch::async, [&] { writer.copy_kept_fields(&cancel); });
    format::MetadataEntries stored;
    try {
      stored = prepare_entries(source, options, r);
    } catch (...) {
      cancel = true;
      copy.wait();
      throw;
    }
    copy.get();
    r.model_bytes_after = writer.finish(stored);
  } catch (...) {
    for (const auto& loc : r.copied_external_data) fs::remove(fs::absolute(r.output).parent_path() / loc, ec);
    throw;
  }
  return r;
}

}  // namespace modelexport::metadata
