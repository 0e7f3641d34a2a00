#include "modelexport/metadata/encoder_decoder_set.h"

#include <algorithm>
#include <optional>
#include <set>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/metadata/reader.h"

namespace modelexport::metadata {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEncoder = "encoder_model", kMerged = "decoder_model_merged",
                           kWithPast = "decoder_with_past_model", kDecoder = "decoder_model";

struct NameParts {
  std::string_view role;  // one of the k* names, empty when the file is not of the layout
  std::string suffix;
};

// "decoder_model_merged_q4.onnx" → {kMerged, "_q4"}. Longest role first: decoder_model is a prefix of
// decoder_model_merged. A suffix is empty or starts with '_'.
NameParts parse_name(const fs::path& file) {
  if (file.extension() != ".onnx") return {};
  const std::string stem = file.stem().string();
  for (std::string_view role : {kMerged, kWithPast, kEncoder, kDecoder}) {
    if (stem.rfind(role, 0) != 0) continue;
    std::string suffix = stem.substr(role.size());
    if (!suffix.empty() && suffix[0] != '_') continue;
    return {role, suffix};
  }
  return {};
}

fs::path name(std::string_view role, const std::string& suffix) { return std::string(role) + suffix + ".onnx"; }

// The folder holding the ONNX files: the folder itself or its onnx/ subfolder (transformers.js).
fs::path onnx_folder(const fs::path& folder) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (parse_name(e.path()).role == kEncoder) return folder;
  if (fs::is_directory(folder / "onnx")) return folder / "onnx";
  return folder;
}

std::set<std::string> encoder_suffixes(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (auto p = parse_name(e.path()); p.role == kEncoder) out.insert(p.suffix);
  return out;
}

bool config_says_encoder_decoder(const fs::path& model) {
  try {
    ModelFiles files = ModelFiles::from_model(model);
    const std::string* config = files.get("config.json");
    if (!config) return false;
    Json c = parse_json(*config, "config.json");
    return c.is_object() && c.value("is_encoder_decoder", false) == true;
  } catch (const Error&) {
    return false;  // unreadable: not recognised as a set; the caller's own reading reports why
  }
}

}  // namespace

std::vector<fs::path> EncoderDecoderSet::files() const {
  std::vector<fs::path> out = {encoder, decoder};
  if (!decoder_with_past.empty()) out.push_back(decoder_with_past);
  return out;
}

bool is_encoder_decoder_set(const fs::path& model_or_folder) {
  if (fs::is_directory(model_or_folder)) return !encoder_suffixes(onnx_folder(model_or_folder)).empty();
  NameParts p = parse_name(model_or_folder);
  if (p.role.empty()) return false;
  if (p.role == kEncoder) return true;
  if (fs::exists(model_or_folder.parent_path() / name(kEncoder, p.suffix))) return true;
  return config_says_encoder_decoder(model_or_folder);
}

EncoderDecoderSet find_encoder_decoder_set(const fs::path& model_or_folder, std::string_view wanted_suffix) {
  EncoderDecoderSet set;
  fs::path dir;
  bool split = false;
  if (fs::is_directory(model_or_folder)) {
    dir = onnx_folder(model_or_folder);
    std::set<std::string> suffixes = encoder_suffixes(dir);
    if (suffixes.count(std::string(wanted_suffix)) || wanted_suffix.size() || suffixes.size() != 1)
      set.suffix = std::string(wanted_suffix);
    else set.suffix = *suffixes.begin();
  } else {
    NameParts p = parse_name(model_or_folder);
    if (p.role.empty())
      throw MetadataReadError("'" + model_or_folder.string() + "' is not named as a file of an encoder-decoder set (" +
                              "encoder_model, decoder_model_merged, decoder_model or decoder_with_past_model, " +
                              "with an optional _dtype suffix, .onnx)");
    dir = model_or_folder.parent_path();
    set.suffix = p.suffix;
    split = p.role == kDecoder || p.role == kWithPast;
  }
  if (dir.empty()) dir = ".";
  auto need = [&](std::string_view role, const std::string& also) {
    fs::path f = dir / name(role, set.suffix);
    if (!fs::is_regular_file(f))
      throw MetadataReadError("encoder-decoder set in '" + dir.string() + "': missing sibling '" +
                              f.filename().string() + "'" + also);
    return f;
  };
  set.encoder = need(kEncoder, "");
  if (!split && fs::is_regular_file(dir / name(kMerged, set.suffix))) {
    set.decoder = dir / name(kMerged, set.suffix);
    return set;
  }
  if (!split && !fs::is_regular_file(dir / name(kDecoder, set.suffix)))
    throw MetadataReadError("encoder-decoder set in '" + dir.string() + "': missing sibling '" +
                            name(kMerged, set.suffix).string() + "' (or " + name(kDecoder, set.suffix).string() +
                            " + " + name(kWithPast, set.suffix).string() + ")");
  const std::string alt;
  set.decoder = need(kDecoder, alt);
  set.decoder_with_past = need(kWithPast, alt);
  return set;
}

namespace {

std::optional<int64_t> last_dim(const std::vector<format::ValueInfo>& values, std::string_view tensor) {
  for (const auto& v : values)
    if (v.name == tensor && !v.shape.empty() && v.shape.back().value > 0) return v.shape.back().value;
  return std::nullopt;
}

}  // namespace

std::vector<Finding> validate_encoder_decoder_set(const EncoderDecoderSet& set) {
  std::vector<Finding> out;
  auto error = [&](const std::string& m) { out.push_back({"error", "set", m}); };
  std::optional<std::string> config;
  fs::path config_from;
  std::optional<int64_t> hidden, vocab;
  for (const auto& f : set.files()) {
    format::OnnxFile file(f);
    ModelMetadata m = read_metadata(file);
    const std::string fname = f.filename().string();
    if (!m.has_schema()) {
      error("'" + fname + "' carries no modelexport metadata: every file of the set must be self-contained " +
            "(embed-metadata on the folder embeds into each)");
    } else if (auto c = m.get("hf_model_config")) {
      Json parsed = parse_json(*c, fname + " hf_model_config");
      if (!config) {
        config = parsed.dump();
        config_from = f;
        if (parsed.is_object() && parsed.contains("vocab_size") && parsed["vocab_size"].is_number_integer())
          vocab = parsed["vocab_size"].get<int64_t>();
      } else if (parsed.dump() != *config) {
        error("'" + fname + "' embeds another config.json (hf_model_config) than '" + config_from.filename().string() +
              "': the files come from different models");
      }
    }
    const auto& g = file.graph();
    if (f == set.encoder) {
      hidden = last_dim(g.outputs, "last_hidden_state");
      continue;
    }
    if (auto h = last_dim(g.inputs, "encoder_hidden_states"); h && hidden && *h != *hidden)
      error("hidden sizes disagree: '" + set.encoder.filename().string() + "' last_hidden_state has " +
            std::to_string(*hidden) + " features, '" + fname + "' encoder_hidden_states expects " + std::to_string(*h));
    if (auto v = last_dim(g.outputs, "logits")) {
      if (vocab && *v != *vocab)
        error("vocabularies disagree: '" + fname + "' logits has " + std::to_string(*v) + " entries, config.json " +
              "vocab_size is " + std::to_string(*vocab));
      if (!vocab) vocab = *v;
    }
  }
  return out;
}

namespace {

// The suffixes of the decoder-only roles in `dir`.
std::set<std::string> decoder_suffixes(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (auto p = parse_name(e.path()); p.role == kDecoder || p.role == kWithPast || p.role == kMerged)
      out.insert(p.suffix);
  return out;
}

fs::path decoder_folder(const fs::path& folder) {
  if (!decoder_suffixes(folder).empty()) return folder;
  if (fs::is_directory(folder / "onnx")) return folder / "onnx";
  return folder;
}

}  // namespace

bool is_decoder_only_set(const fs::path& model_or_folder) {
  if (fs::is_directory(model_or_folder)) return !decoder_suffixes(decoder_folder(model_or_folder)).empty();
  NameParts p = parse_name(model_or_folder);
  return p.role == kDecoder || p.role == kWithPast;
}

DecoderOnlySet find_decoder_only_set(const fs::path& model_or_folder, std::string_view wanted_suffix) {
  DecoderOnlySet set;
  fs::path dir;
  bool split = false;
  if (fs::is_directory(model_or_folder)) {
    dir = decoder_folder(model_or_folder);
    std::set<std::string> suffixes = decoder_suffixes(dir);
    if (suffixes.count(std::string(wanted_suffix)) || wanted_suffix.size() || suffixes.size() != 1)
      set.suffix = std::string(wanted_suffix);
    else set.suffix = *suffixes.begin();
  } else {
    NameParts p = parse_name(model_or_folder);
    if (p.role != kDecoder && p.role != kWithPast)
      throw MetadataReadError("'" + model_or_folder.string() +
                              "' is not named as a file of a two-file decoder (decoder_model or " +
                              "decoder_with_past_model, with an optional _dtype suffix, .onnx)");
    dir = model_or_folder.parent_path();
    set.suffix = p.suffix;
    split = true;
  }
  if (dir.empty()) dir = ".";
  if (!split && fs::is_regular_file(dir / name(kMerged, set.suffix))) {
    set.decoder = dir / name(kMerged, set.suffix);
    return set;
  }
  for (std::string_view role : {kDecoder, kWithPast})
    if (!fs::is_regular_file(dir / name(role, set.suffix)))
      throw MetadataReadError("two-file decoder in '" + dir.string() + "': missing sibling '" +
                              name(role, set.suffix).string() + "' (" + name(kDecoder, set.suffix).string() +
                              " runs the prompt, " + name(kWithPast, set.suffix).string() + " every later step" +
                              (split ? "" : "; or give " + name(kMerged, set.suffix).string()) + ")");
  set.decoder = dir / name(kDecoder, set.suffix);
  set.decoder_with_past = dir / name(kWithPast, set.suffix);
  return set;
}

}  // namespace modelexport::metadata
