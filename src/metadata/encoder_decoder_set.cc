#include "modelexport/metadata/encoder_decoder_set.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

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

namespace {

// What every set checks: each file carries modelexport metadata and all embed the same config.json
// (hf_model_config); returns that config (null when none), whose vocab_size the caller compares.
Json check_same_config(const std::vector<fs::path>& files, std::vector<Finding>& out) {
  auto error = [&](const std::string& m) { out.push_back({"error", "set", m}); };
  std::optional<std::string> config;
  Json parsed_config;
  fs::path config_from;
  for (const auto& f : files) {
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
        parsed_config = std::move(parsed);
        config_from = f;
      } else if (parsed.dump() != *config) {
        error("'" + fname + "' embeds another config.json (hf_model_config) than '" + config_from.filename().string() +
              "': the files come from different models");
      }
    }
  }
  return parsed_config;
}

std::optional<int64_t> config_int(const Json& config, std::initializer_list<const char*> keys) {
  if (!config.is_object()) return std::nullopt;
  for (const char* k : keys)
    if (config.contains(k) && config[k].is_number_integer() && config[k].get<int64_t>() > 0)
      return config[k].get<int64_t>();
  return std::nullopt;
}

}  // namespace

std::vector<Finding> validate_encoder_decoder_set(const EncoderDecoderSet& set) {
  std::vector<Finding> out;
  auto error = [&](const std::string& m) { out.push_back({"error", "set", m}); };
  std::optional<int64_t> hidden, vocab = config_int(check_same_config(set.files(), out), {"vocab_size"});
  for (const auto& f : set.files()) {
    format::OnnxFile file(f);
    const std::string fname = f.filename().string();
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

std::vector<fs::path> DecoderOnlySet::files() const {
  std::vector<fs::path> out = {decoder};
  if (!decoder_with_past.empty()) out.push_back(decoder_with_past);
  return out;
}

namespace {

const format::ValueInfo* find_value(const std::vector<format::ValueInfo>& values, std::string_view name) {
  for (const auto& v : values)
    if (v.name == name) return &v;
  return nullptr;
}

// The output that carries a cache input forward, as the runtime names it: Optimum's
// past_key_values.N.key → present.N.key, onnxruntime-genai's past_N → present_N.
std::string present_for(const std::string& past) {
  static const std::string optimum = "past_key_values";
  if (past.rfind(optimum, 0) == 0) return "present" + past.substr(optimum.size());
  return "present" + past.substr(4);
}

std::string shape_text(const format::ValueInfo& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.shape.size(); ++i)
    s += (i ? ", " : "") + (v.shape[i].value >= 0 ? std::to_string(v.shape[i].value) : v.shape[i].param);
  return s + "]";
}

// Fixed dims of two tensors that disagree (dims unknown on either side are not compared).
bool fixed_dims_differ(const format::ValueInfo& a, const format::ValueInfo& b) {
  if (a.shape.size() != b.shape.size()) return a.has_shape && b.has_shape && !a.shape.empty() && !b.shape.empty();
  for (size_t i = 0; i < a.shape.size(); ++i)
    if (a.shape[i].value > 0 && b.shape[i].value > 0 && a.shape[i].value != b.shape[i].value) return true;
  return false;
}

// One finding per kind of disagreement: the first tensor, and how many more there are.
struct FirstOfEach {
  std::vector<std::pair<std::string, size_t>> kinds;  // message, further occurrences
  std::vector<std::string> keys;
  void add(const std::string& kind, const std::string& message) {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == kind) return void(++kinds[i].second);
    keys.push_back(kind);
    kinds.push_back({message, 0});
  }
  void flush(std::vector<Finding>& out) const {
    for (const auto& [message, more] : kinds)
      out.push_back({"error", "set",
                     message + (more ? " (and " + std::to_string(more) + " more tensor(s) like it)" : std::string())});
  }
};

}  // namespace

std::vector<Finding> validate_decoder_only_set(const DecoderOnlySet& set) {
  std::vector<Finding> out;
  const Json config = check_same_config(set.files(), out);
  if (set.merged()) return out;
  for (auto& f : check_decoder_pair(set, config.is_null() ? std::string() : config.dump())) out.push_back(std::move(f));
  return out;
}

std::vector<Finding> check_decoder_pair(const DecoderOnlySet& set, std::string_view config_json) {
  std::vector<Finding> out;
  if (set.merged()) return out;
  const Json config = config_json.empty() ? Json() : parse_json(config_json, "config.json");
  format::OnnxFile first_file(set.decoder), later_file(set.decoder_with_past);
  const auto& first = first_file.graph();
  const auto& later = later_file.graph();
  const std::string a = "'" + set.decoder.filename().string() + "'",
                    b = "'" + set.decoder_with_past.filename().string() + "'";
  FirstOfEach found;
  for (const auto& in : first.inputs)
    if (in.name.rfind("past", 0) == 0)
      found.add("first past", a + " takes the cache input '" + in.name +
                                  "'; it runs the prompt step, which has no past (give " + b + " the cache inputs)");
  // The config's cache width: key/value heads × head_dim (head_dim from the config, else hidden / heads).
  std::optional<int64_t> hidden = config_int(config, {"hidden_size", "n_embd", "d_model"}),
                         heads = config_int(config, {"num_attention_heads", "n_head"}),
                         kv_heads = config_int(config, {"num_key_value_heads"}),
                         head_dim = config_int(config, {"head_dim"});
  if (!kv_heads) kv_heads = heads;
  if (!head_dim && hidden && heads && *hidden % *heads == 0) head_dim = *hidden / *heads;
  size_t pasts = 0;
  for (const auto& in : later.inputs) {
    if (in.name.rfind("past", 0) != 0) continue;
    ++pasts;
    const std::string present = present_for(in.name);
    const format::ValueInfo* out_first = find_value(first.outputs, present);
    if (!out_first) {
      found.add("missing first present", a + " has no output '" + present + "', which starts " + b +
                                             "'s cache input '" + in.name + "' (past/present names disagree)");
    } else if (out_first->elem_type != in.elem_type) {
      found.add("cache type", "cache types disagree: " + a + "'s '" + present + "' is " + out_first->elem_type + ", " +
                                  b + "'s '" + in.name + "' is " + in.elem_type);
    } else if (fixed_dims_differ(*out_first, in)) {
      found.add("cache shape", "cache shapes disagree: " + a + "'s '" + present + "' is " + shape_text(*out_first) +
                                   ", " + b + "'s '" + in.name + "' is " + shape_text(in));
    }
    if (!find_value(later.outputs, present))
      found.add("missing later present", b + " has no output '" + present + "' for its cache input '" + in.name +
                                             "' (past/present names disagree)");
    // Optimum's [batch, kv_heads, past, head_dim] against the config's hidden size.
    if (in.name.rfind("past_key_values.", 0) == 0 && in.shape.size() == 4 && kv_heads && head_dim) {
      const int64_t h = in.shape[1].value, d = in.shape[3].value;
      if ((h > 0 && h != *kv_heads) || (d > 0 && d != *head_dim))
        found.add("hidden", "hidden sizes disagree: config.json gives " + std::to_string(*kv_heads) +
                                " key/value heads of " + std::to_string(*head_dim) + " features, " + b + "'s '" +
                                in.name + "' is " + shape_text(in));
    }
  }
  if (!pasts)
    found.add("no past",
              b + " has no cache inputs (past_key_values.N.key/value), which every step after the prompt feeds");
  // The same vocabulary: both logits widths, and config.json's vocab_size.
  std::optional<int64_t> vocab = config_int(config, {"vocab_size"});
  std::optional<int64_t> first_vocab, later_vocab;
  for (const auto& [graph, label, width] : {std::tuple{&first, a, &first_vocab}, std::tuple{&later, b, &later_vocab}}) {
    if (!find_value(graph->outputs, "logits")) found.add("logits " + label, label + " has no 'logits' output");
    *width = last_dim(graph->outputs, "logits");
    if (*width && vocab && **width != *vocab)
      found.add("vocab " + label, "vocabularies disagree: " + label + "'s logits has " + std::to_string(**width) +
                                      " entries, config.json vocab_size is " + std::to_string(*vocab));
  }
  if (first_vocab && later_vocab && *first_vocab != *later_vocab)
    found.add("vocab pair", "vocabularies disagree: " + a + "'s logits has " + std::to_string(*first_vocab) +
                                " entries, " + b + "'s " + std::to_string(*later_vocab));
  // The inputs both steps feed.
  for (const char* input : {"input_ids", "attention_mask", "position_ids"}) {
    const format::ValueInfo *x = find_value(first.inputs, input), *y = find_value(later.inputs, input);
    if (!x != !y)
      found.add(std::string("input ") + input,
                std::string(x ? a : b) + " takes '" + input + "' and " + (x ? b : a) + " does not");
    else if (x && x->elem_type != y->elem_type)
      found.add(std::string("input type ") + input,
                std::string("'") + input + "' is " + x->elem_type + " in " + a + " and " + y->elem_type + " in " + b);
  }
  found.flush(out);
  return out;
}

}  // namespace modelexport::metadata
