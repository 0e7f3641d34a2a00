#include "modelexport/metadata/layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <random>
#include <variant>

#include "common/clock.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/sha256.h"
#include "modelexport/format/external_data_names.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/model_card.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/source.h"
#include "modelexport/metadata/task.h"

namespace modelexport::metadata {
namespace fs = std::filesystem;

namespace {

// A file to place in the layout: bytes in memory, or a file to copy.
struct PlannedFile {
  std::string name;
  std::variant<std::string, fs::path> content;
};

struct Plan {
  std::vector<PlannedFile> files;
  Json provenance = Json::object();
  std::vector<std::string> warnings;
};

bool has_file(const Plan& plan, const std::string& name) {
  for (const auto& f : plan.files)
    if (f.name == name) return true;
  return false;
}

// Optimum finds these names; anything else becomes model.onnx.
std::string onnx_name_for(const fs::path& model) {
  static const char* kKnown[] = {"model", "encoder_model", "decoder_model", "decoder_model_merged",
                                 "decoder_with_past_model", "vision_encoder", "text_encoder", "embed_tokens"};
  std::string stem = model.stem().string();
  for (const char* k : kKnown)
    if (stem == k) return model.filename().string();
  return "model.onnx";
}

void add_model(Plan& plan, const format::OnnxFile& model, Layout layout, const std::string& file_name = "") {
  // A model whose external data would not load is refused before anything is written.
  if (auto problems = model.external_data_problems(); !problems.empty()) {
    std::string msg = "'" + model.path().string() + "': " + problems.front();
    if (problems.size() > 1) msg += " (and " + std::to_string(problems.size() - 1) + " more problem(s); run validate)";
    throw FormatError(msg + "; nothing was written");
  }
  std::string dir = layout == Layout::kTransformersJs ? "onnx/" : "";
  const std::string target = file_name.empty() ? onnx_name_for(model.path()) : file_name;
  const auto& external = model.graph().external_data_files;
  // transformers.js (use_external_data_format) loads onnx/NAME.onnx_data, NAME.onnx_data_1, ...: the
  // data files are named after the model file and every location in the graph is rewritten to match.
  std::vector<std::string> data_names = external;
  if (layout == Layout::kTransformersJs) data_names = format::transformers_js_data_names(target, external.size());
  std::map<std::string, std::string> renames;
  for (size_t i = 0; i < external.size(); ++i)
    if (external[i] != data_names[i]) renames[external[i]] = data_names[i];
  if (renames.empty()) plan.files.push_back({dir + target, model.path()});
  else
    plan.files.push_back({dir + target, format::rename_external_data(model.bytes(), renames, model.path().string())});
  fs::path model_dir = model.path().parent_path();
  for (size_t i = 0; i < external.size(); ++i) plan.files.push_back({dir + data_names[i], model_dir / external[i]});
  const auto& h = model.header();
  Json opsets = Json::array();
  for (const auto& o : h.opset_imports) opsets.push_back({{"domain", o.domain.empty() ? "ai.onnx" : o.domain}, {"version", o.version}});
  auto io = [](const std::vector<format::ValueInfo>& v) {
    Json a = Json::array();
    for (const auto& i : v) {
      Json shape = Json::array();
      for (const auto& d : i.shape) shape.push_back(d.value >= 0 ? Json(d.value) : d.param.empty() ? Json(nullptr) : Json(d.param));
      a.push_back({{"name", i.name}, {"type", i.elem_type}, {"shape", shape}});
    }
    return a;
  };
  plan.provenance["onnx"] = {{"file", plan.files.front().name},
                             {"source", model.path().filename().string()},
                             {"ir_version", h.ir_version},
                             {"producer", h.producer_name + " " + h.producer_version},
                             {"opsets", opsets},
                             {"inputs", io(model.graph().inputs)},
                             {"outputs", io(model.graph().outputs)},
                             {"external_data", model.graph().external_data_files}};
}

void require_new_target(const fs::path& out_dir) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) || fs::is_symlink(out_dir, ec))
    throw UsageError("target '" + out_dir.string() + "' already exists; choose a new folder (nothing is overwritten)");
}

LayoutReport write_plan(Plan& plan, const fs::path& out_dir, Layout layout) {
  std::error_code ec;
  require_new_target(out_dir);
  fs::path parent = fs::absolute(out_dir).parent_path();
  if (!fs::is_directory(parent)) throw IoError("cannot create '" + out_dir.string() + "': folder '" + parent.string() + "' does not exist");
  TemporaryFolder staging(parent, out_dir.filename().string(), "tmp");
  const fs::path temp = staging.path();
  LayoutReport report;
  report.out_dir = out_dir;
  report.warnings = plan.warnings;
  try {
    Json files = Json::array();
    for (const auto& f : plan.files) {
      if (!is_safe_relative_path(f.name))
        throw MetadataValidationError("refusing to write '" + f.name + "': the name leaves the target folder");
      fs::path dest = temp / f.name;
      fs::create_directories(dest.parent_path());
      WrittenFile w{f.name, 0, ""};
      if (const auto* bytes = std::get_if<std::string>(&f.content)) {
        write_file_atomic(dest, *bytes);
        w.size = bytes->size();
        w.sha256 = sha256_hex(*bytes);
      } else {
        const fs::path& from = std::get<fs::path>(f.content);
        copy_file_atomic(from, dest);
        MappedFile copied(dest);
        w.size = copied.size();
        w.sha256 = sha256_hex(copied.bytes());
      }
      files.push_back({{"name", w.name}, {"size", w.size}, {"sha256", w.sha256}});
      report.files.push_back(std::move(w));
    }
    Json prov = {{"tool", "modelexport"}, {"tool_version", version()}, {"created", utc_timestamp()},
                 {"layout", layout_name(layout)}};
    for (const auto& [k, v] : plan.provenance.items()) prov[k] = v;
    prov["files"] = files;
    std::string text = dump_json(prov, 2) + "\n";
    write_file_atomic(temp / "export_metadata.json", text);
    report.files.push_back({"export_metadata.json", text.size(), sha256_hex(text)});
    if (::rename(temp.c_str(), out_dir.c_str()) != 0)
      throw IoError("cannot rename the finished folder to '" + out_dir.string() + "': " + errno_text(errno));
    staging.release();
  } catch (...) {
    throw;  // the staging folder goes with everything in it
  }
  return report;
}

}  // namespace

std::string layout_onnx_name(const fs::path& model) { return onnx_name_for(model); }

Layout parse_layout(std::string_view name) {
  if (name == "optimum") return Layout::kOptimum;
  if (name == "transformers.js" || name == "transformersjs") return Layout::kTransformersJs;
  throw UsageError("unknown layout '" + std::string(name) + "': expected optimum or transformers.js");
}

std::string_view layout_name(Layout layout) { return layout == Layout::kOptimum ? "optimum" : "transformers.js"; }

LayoutReport unpack_model(const fs::path& model_path, const fs::path& out_dir, Layout layout) {
  return unpack_model(model_path, out_dir, layout, UnpackOptions{});
}

LayoutReport unpack_model(const fs::path& model_path, const fs::path& out_dir, Layout layout, const UnpackOptions& options) {
  require_new_target(out_dir);
  format::OnnxFile model(model_path);
  ModelMetadata m = read_metadata(model);
  if (!m.has_schema())
    throw MetadataReadError("'" + model_path.string() + "' has no modelexport metadata to unpack; run embed-metadata first");
  Plan plan;
  if (auto w = m.version_warning(); !w.empty()) plan.warnings.push_back(w);
  add_model(plan, model, layout, options.onnx_file_name);
  for (const auto& [name, bytes] : options.extra_files) plan.files.push_back({name, bytes});
  bool has_config = false;
  for (const auto& f : m.manifest()) {
    if (!is_safe_relative_path(f.name))
      throw MetadataValidationError("the manifest names '" + f.name + "', which leaves the target folder; nothing was written");
    // Every value is decoded (and a bad one throws) before anything is written.
    const std::string& bytes = m.value(f.key);
    if (bytes.size() != f.size || sha256_hex(bytes) != f.sha256)
      throw MetadataValidationError("'" + f.name + "' does not match its manifest size/sha256; run validate");
    has_config |= f.name == "config.json";
    plan.files.push_back({f.name, bytes});
  }
  if (!has_config) {
    if (auto reduced = m.get(keys::kModelConfig)) {
      plan.files.push_back({"config.json", *reduced});
      plan.warnings.push_back("config.json is the reduced configuration of the minimal level, not the original file");
    }
  }
  if (layout == Layout::kTransformersJs && !has_file(plan, "README.md")) {
    // The model card: the task, the Hub id and license the source stated, the file's dtype.
    ModelCard card = model_card_from_metadata(m);
    card.files.push_back(
        {"fp32",
         "onnx/" + (options.onnx_file_name.empty() ? layout_onnx_name(model_path) : options.onnx_file_name),
         {},
         {}});
    plan.files.push_back({"README.md", model_card_text(card)});
  }
  Json embedded = Json::object();
  for (const char* k : {"hf_export_timestamp", "hf_pipeline_task", "export_config"})
    if (auto v = m.get(k)) embedded[k] = (std::string(k) == "export_config") ? parse_json(*v, k) : Json(*v);
  plan.provenance["source"] = {
      {"kind", "self-contained onnx"}, {"name", model_path.filename().string()}, {"metadata", embedded}};
  return write_plan(plan, out_dir, layout);
}

LayoutReport export_model(std::string_view source, const fs::path& model_path, const fs::path& out_dir, Layout layout) {
  require_new_target(out_dir);
  format::OnnxFile model(model_path);
  HfSource src = resolve_source(source);
  CollectedFiles collected = collect_files(src, Level::kFull);
  Plan plan;
  plan.warnings = collected.warnings;
  add_model(plan, model, layout);
  for (auto& f : collected.files) plan.files.push_back({f.name, std::move(f.bytes)});
  // Provenance travels with the folder people publish: the Hub id or the folder's name, never a
  // local absolute path (as export_config in embedded metadata).
  if (layout == Layout::kTransformersJs && !has_file(plan, "README.md")) {
    ModelCard card;
    card.name = src.from_hub_cache ? src.hub_id : src.public_name();
    if (src.from_hub_cache) card.base_model = src.hub_id;
    std::error_code ec;
    if (fs::is_regular_file(src.dir / "README.md", ec))
      card.license = model_card_front_matter_value(read_file(src.dir / "README.md"), "license");
    for (const auto& f : plan.files)
      if (f.name == "config.json")
        if (const auto* bytes = std::get_if<std::string>(&f.content)) try {
            card.task = detect_task(*bytes, TaskHints{}).task;
          } catch (const TaskDetectionError&) {
            // A card without pipeline_tag: the Hub shows none either.
          }
    card.files.push_back({"fp32", "onnx/" + layout_onnx_name(model_path), {}, {}});
    plan.files.push_back({"README.md", model_card_text(card)});
  }
  plan.provenance["source"] = {{"kind", src.from_hub_cache ? "hub-cache" : "folder"}, {"name", src.public_name()}};
  if (src.from_hub_cache) {
    plan.provenance["source"]["hub_id"] = src.hub_id;
    plan.provenance["source"]["revision"] = src.revision;
  }
  return write_plan(plan, out_dir, layout);
}

}  // namespace modelexport::metadata
