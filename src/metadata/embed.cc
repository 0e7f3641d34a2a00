#include "modelexport/metadata/embed.h"

#include <cstdio>
#include <future>
#include <set>

#include "common/clock.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/sha256.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/model_card.h"

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
std::string pooling_mode(const JsonReader& pooling) {
  static const std::pair<const char*, const char*> kModes[] = {
      {"pooling_mode_cls_token", "cls"}, {"pooling_mode_mean_tokens", "mean"}, {"pooling_mode_max_tokens", "max"},
      {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len"}, {"pooling_mode_weightedmean_tokens", "weightedmean"},
      {"pooling_mode_lasttoken", "lasttoken"}};
  for (const auto& [key, mode] : kModes)
    if (pooling.boolean_or(key, false)) return mode;
  return "";
}

// The model facts an onnxruntime-genai folder's genai_config.json states, under config.json's names
// (onnxruntime-genai's own model builder writes them from config.json: context_length is
// max_position_embeddings, head_size is head_dim).
Json config_from_genai(const Json& genai, const std::string& file) {
  JsonReader root(genai, file);
  auto model = root.object("model");
  if (!model) root.fail("model", "an object");
  Json config = Json::object();
  if (auto type = model->string("type")) config["model_type"] = *type;
  for (const char* k : {"vocab_size", "bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id"})
    if (const Json* v = model->find(k)) config[k] = *v;
  if (auto n = model->integer("context_length")) config["max_position_embeddings"] = *n;
  if (auto decoder = model->object("decoder")) {
    static const std::pair<const char*, const char*> kNames[] = {{"hidden_size", "hidden_size"},
                                                                 {"num_attention_heads", "num_attention_heads"},
                                                                 {"num_key_value_heads", "num_key_value_heads"},
                                                                 {"num_hidden_layers", "num_hidden_layers"},
                                                                 {"head_size", "head_dim"}};
    for (const auto& [from, to] : kNames)
      if (auto n = decoder->integer(from)) config[to] = *n;
  }
  return config;
}

uint64_t varint_size(uint64_t v) {
  uint64_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

// Serialized size of metadata_props entries (field 14: tag, length, {key: 1, value: 2}), without
// building them.
uint64_t metadata_entries_size(const format::MetadataEntries& entries) {
  uint64_t total = 0;
  for (const auto& [k, v] : entries) {
    uint64_t entry = 1 + varint_size(k.size()) + k.size() + 1 + varint_size(v.size()) + v.size();
    total += 1 + varint_size(entry) + entry;
  }
  return total;
}

// Decimal units, as file managers and the issue tracker report sizes.
std::string gb(uint64_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  else if (b >= 1e6) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
  else std::snprintf(buf, sizeof buf, "%.1f KB", b / 1e3);
  return buf;
}

}  // namespace

void check_output_size(uint64_t model_bytes, uint64_t metadata_bytes) {
  uint64_t total = model_bytes + metadata_bytes;
  if (total <= kMaxSingleFileBytes) return;
  throw MetadataEmbeddingError(
      "the output would be " + gb(total) + " (" + std::to_string(total) + " bytes: model " + gb(model_bytes) +
      " + metadata " + gb(metadata_bytes) + "), past protobuf's 2 GB limit for one ONNX file (" +
      std::to_string(kMaxSingleFileBytes) +
      " bytes): ONNX Runtime could not load it. Store the weights as external data (e.g. onnx.save_model(model, path, "
      "save_as_external_data=True)), or embed less (--level essential leaves out the vocabulary files)");
}

MetadataBundle build_metadata(const HfSource& source, Level level, const std::string& task_override,
                              const CompressionOptions& compression) {
  return build_metadata(std::vector<HfSource>{source}, level, task_override, compression);
}

MetadataBundle build_metadata(const std::vector<HfSource>& sources, Level level, const std::string& task_override,
                              const CompressionOptions& compression) {
  CollectedFiles collected = collect_files(sources, level, kMaxInflatedValueBytes);
  // The minimal level still needs config.json (and the pooling/tokenizer configs) to describe the model.
  CollectedFiles essentials =
      level == Level::kMinimal ? collect_files(sources, Level::kEssential, kMaxInflatedValueBytes) : collected;
  MetadataBundle b;
  b.warnings = collected.warnings;
  auto where = [](const SourceFile& f) { return (f.dir / f.name).string(); };

  // config.json, or (an onnxruntime-genai folder) the facts genai_config.json states.
  const SourceFile* config_file = find_file(essentials, "config.json");
  const SourceFile* genai_file = config_file ? nullptr : find_file(essentials, "genai_config.json");
  Json config = config_file
                    ? parse_json_object(config_file->bytes, where(*config_file))
                    : config_from_genai(parse_json_object(genai_file->bytes, where(*genai_file)), where(*genai_file));
  JsonReader cfg(config, config_file ? where(*config_file) : where(*genai_file));
  std::string config_text = config_file ? config_file->bytes : config.dump();

  TaskHints hints;
  std::string card_license;  // the source card's license, for the model card unpack writes
  if (const HfSource* card = source_with(sources, "README.md")) {
    std::string readme = read_file(card->dir / "README.md");
    hints.model_card_pipeline_tag = model_card_pipeline_tag(readme);
    card_license = model_card_front_matter_value(readme, "license");
  }
  hints.sentence_transformers = find_file(essentials, "modules.json") != nullptr;
  if (!task_override.empty()) {
    b.task = {canonical_task(task_override), "override", "", "given with --task"};
    if (const Json* archs = cfg.array("architectures"); archs && !archs->empty() && (*archs)[0].is_string())
      b.task.architecture = (*archs)[0].get<std::string>();
  } else if (config_file) {
    b.task = detect_task(config_text, hints);
  } else {
    // onnxruntime-genai runs generation models: its model type refines that (a speech or vision
    // model type), and text-generation is the answer when the type is not one we know.
    try {
      b.task = detect_task(config_text, hints);
      b.task.detail += " (from genai_config.json)";
    } catch (const TaskDetectionError&) {
      b.task = {"text-generation", "genai_config", "",
                "an onnxruntime-genai folder (genai_config.json): a generation model"};
    }
  }

  // hf_pipeline_config: what a pipeline needs beyond the processor. (null counts as absent, as in
  // transformers' PretrainedConfig.)
  Json pipeline = Json::object();
  pipeline["task"] = b.task.task;
  if (!b.task.architecture.empty()) pipeline["architecture"] = b.task.architecture;
  for (const char* k : {"model_type", "id2label", "label2id", "problem_type", "num_labels"})
    if (const Json* v = cfg.find(k)) pipeline[k] = *v;
  if (const SourceFile* pool = find_file(essentials, "1_Pooling/config.json")) {
    Json p = parse_json_object(pool->bytes, where(*pool));
    JsonReader pr(p, where(*pool));
    Json pooling = Json::object();
    if (auto mode = pooling_mode(pr); !mode.empty()) pooling["mode"] = mode;
    if (auto dim = pr.integer("word_embedding_dimension")) pooling["dimension"] = *dim;
    bool normalize = false;
    if (const SourceFile* modules = find_file(essentials, "modules.json"))
      normalize = modules->bytes.find("sentence_transformers.models.Normalize") != std::string::npos;
    pooling["normalize"] = normalize;
    pipeline["pooling"] = pooling;
  }

  // feature_engineering: {type, config} with each processor component's essential settings.
  Json components = Json::object();
  if (const SourceFile* tc = find_file(essentials, "tokenizer_config.json")) {
    Json t = parse_json_object(tc->bytes, where(*tc));
    components["tokenizer"] = pick(t, {"tokenizer_class", "model_max_length", "padding_side", "truncation_side",
                                       "do_lower_case", "model_input_names", "add_prefix_space"});
  } else if (find_file(collected, "tokenizer.json")) {
    components["tokenizer"] = Json::object();
  }
  if (components.contains("tokenizer"))
    components["tokenizer"]["tokenizer_json"] = find_file(collected, "tokenizer.json") != nullptr;
  if (const SourceFile* pre = find_file(essentials, "preprocessor_config.json")) {
    Json p = parse_json_object(pre->bytes, where(*pre));
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

  // Provenance names the Hub id or the folder's own name, never a local path: models get distributed.
  Json export_config = {{"tool", "modelexport"},
                        {"tool_version", version()},
                        {"level", level_name(level)},
                        {"compress", compression.compress},
                        {"compress_threshold_kb", compression.threshold_bytes / 1024.0},
                        {"source", sources.front().public_name()},
                        {"task_method", b.task.method},
                        {"task_detail", b.task.detail}};
  if (sources.size() > 1) {
    Json names = Json::array();
    for (const auto& s : sources) names.push_back(s.public_name());
    export_config["sources"] = names;
  }
  if (sources.front().from_hub_cache) {
    export_config["hub_id"] = sources.front().hub_id;
    export_config["revision"] = sources.front().revision;
  }
  if (!card_license.empty()) export_config["license"] = card_license;
  if (!config_file) export_config["model_config"] = "derived from genai_config.json (the source has no config.json)";

  auto& e = b.entries;
  e.emplace_back(keys::kVersion, kSchemaVersion);
  e.emplace_back(keys::kTimestamp, utc_timestamp());
  if (auto v = cfg.string("transformers_version")) e.emplace_back(keys::kTransformersVersion, *v);
  e.emplace_back(keys::kPipelineTask, b.task.task);
  e.emplace_back(keys::kPipelineConfig, dump_json(pipeline));
  e.emplace_back(keys::kFeatureEngineering, dump_json(feature_engineering));
  e.emplace_back(keys::kExportConfig, dump_json(export_config));
  if (level == Level::kMinimal) e.emplace_back(keys::kModelConfig, dump_json(reduce_config(config)));
  else if (!config_file) e.emplace_back(keys::kModelConfig, dump_json(config));

  Json manifest_files = Json::array();
  for (const auto& f : collected.files) {
    e.emplace_back(f.key, f.bytes);
    b.files.push_back(f.name);
    manifest_files.push_back({{"name", f.name}, {"key", f.key}, {"size", f.bytes.size()}, {"sha256", sha256_hex(f.bytes)}});
  }
  e.emplace_back(keys::kManifest, dump_json(Json({{"schema", kSchemaVersion}, {"files", manifest_files}})));
  return b;
}

namespace {

// Builds and encodes the entries; fills the report's task, entries and sizes.
format::MetadataEntries prepare_entries(const std::vector<HfSource>& sources, const EmbedOptions& options,
                                        EmbedReport& r) {
  MetadataBundle bundle = build_metadata(sources, options.level, options.task, options.compression);
  r.task = bundle.task;
  r.warnings.insert(r.warnings.end(), bundle.warnings.begin(), bundle.warnings.end());
  // Large values are compressed concurrently (one task each; there are only a few). The identity
  // keys stay plain text whatever the threshold.
  CompressionOptions plain = options.compression;
  plain.compress = false;
  std::vector<std::future<StoredValue>> encoded;
  for (const auto& [key, value] : bundle.entries) {
    const CompressionOptions& how = is_never_compressed(key) ? plain : options.compression;
    bool large = how.compress && value.size() > how.threshold_bytes;
    encoded.push_back(std::async(large ? std::launch::async : std::launch::deferred,
                                 [k = &key, v = &value, h = &how] { return encode_value(*k, *v, *h); }));
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

// Bytes of the input that the output keeps: every top-level field but our own metadata entries.
uint64_t kept_bytes(const format::OnnxFile& input) {
  uint64_t kept = 0;
  size_t prop = 0;
  const auto& props = input.header().metadata_props;
  for (const auto& field : input.header().fields) {
    if (field.number == format::kModelMetadataField && is_owned_key(props[prop++].key)) continue;
    kept += field.span.size;
  }
  return kept;
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

EmbedReport embed_metadata(const fs::path& model, std::string_view source, const EmbedOptions& options) {
  return embed_metadata(model, std::vector<std::string>{std::string(source)}, options);
}

EmbedReport embed_metadata(const fs::path& model, const std::vector<std::string>& source_specs,
                           const EmbedOptions& options) {
  if (source_specs.empty()) throw UsageError("embed-metadata needs at least one SOURCE (a model folder or a Hub id)");
  format::OnnxFile input(model);
  EmbedReport r;
  r.input = model;
  r.output = options.output.empty() ? model : options.output;
  r.level = options.level;
  r.model_bytes_before = input.size();
  std::error_code ec;
  if (fs::is_directory(r.output, ec))
    throw UsageError("output '" + r.output.string() + "' is a directory; expected an .onnx file path");

  std::vector<HfSource> sources;
  for (const auto& spec : source_specs) {
    sources.push_back(resolve_source(spec));
    r.source_dirs.push_back(sources.back().dir.string());
  }
  r.source_dir = r.source_dirs.front();
  uint64_t model_bytes = kept_bytes(input);
  check_output_size(model_bytes, 0);  // a model already past the limit: refused before any copy
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
      stored = prepare_entries(sources, options, r);
      check_output_size(model_bytes, metadata_entries_size(stored));
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
