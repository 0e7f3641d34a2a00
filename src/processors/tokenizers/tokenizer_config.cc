// tokenizer_config.json / special_tokens_map.json as transformers (tokenization_utils_base.py,
// PreTrainedTokenizerBase.from_pretrained / __init__) reads the settings we use.
#include "modelexport/processors/tokenizer_config.h"

#include <cmath>
#include <cstdint>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::processors {
namespace {

[[noreturn]] void fail(const char* file, const std::string& key, const std::string& what, const Json& got) {
  throw ProcessorReconstructionError(std::string(file) + " " + key + ": expected " + what + ", got " + got.dump());
}

Json object_or_empty(std::string_view text, const char* file) {
  if (text.empty()) return Json::object();
  return parse_json_object(text, file);
}

}  // namespace

TokenizerConfig TokenizerConfig::parse(std::string_view tokenizer_config_json,
                                       std::string_view special_tokens_map_json) {
  constexpr const char* kConfig = "tokenizer_config.json";
  constexpr const char* kMap = "special_tokens_map.json";
  Json config = object_or_empty(tokenizer_config_json, kConfig);
  Json map = object_or_empty(special_tokens_map_json, kMap);
  auto present = [](const Json& j, const char* key) { return j.contains(key) && !j[key].is_null(); };
  TokenizerConfig c;

  if (present(config, "model_max_length")) {
    const Json& v = config["model_max_length"];
    // transformers: above LARGE_INTEGER (1e20) there is no limit; its sentinel int(1e30) is written
    // as an integer too large for 64 bits, which JSON readers give as a float.
    constexpr double kLargeInteger = 1e20;
    double d = v.is_number() ? v.get<double>() : 0;
    if (!v.is_number() || d <= 0 || (v.is_number_float() && std::floor(d) != d))
      fail(kConfig, "model_max_length", "a positive integer", v);
    if (v.is_number_unsigned()) c.model_max_length = static_cast<size_t>(v.get<uint64_t>());
    else if (d < kLargeInteger) c.model_max_length = d < 1.8e19 ? static_cast<size_t>(d) : SIZE_MAX;
  }
  if (present(config, "padding_side")) {
    const Json& v = config["padding_side"];
    if (v != "left" && v != "right") fail(kConfig, "padding_side", "\"left\" or \"right\"", v);
    c.padding_left = v == "left";
  }
  if (present(config, "clean_up_tokenization_spaces")) {
    const Json& v = config["clean_up_tokenization_spaces"];
    if (!v.is_boolean()) fail(kConfig, "clean_up_tokenization_spaces", "true or false", v);
    c.clean_up_tokenization_spaces = v.get<bool>();
  }
  for (const char* role :
       {"pad_token", "mask_token", "sep_token", "cls_token", "unk_token", "bos_token", "eos_token"}) {
    std::string t = present(config, role) ? token_content(config[role]) : "";
    if (t.empty() && present(map, role)) t = token_content(map[role]);
    if (!t.empty()) c.special_tokens[role] = t;
  }
  return c;
}

TokenizerConfig TokenizerConfig::from_files(const metadata::ModelFiles& files) {
  const std::string* config = files.get("tokenizer_config.json");
  const std::string* map = files.get("special_tokens_map.json");
  return parse(config ? std::string_view(*config) : std::string_view(),
               map ? std::string_view(*map) : std::string_view());
}

PaddingParams TokenizerConfig::padding(const Tokenizer& tok, PaddingParams base) const {
  if (padding_left) base.left = *padding_left;
  if (auto it = special_tokens.find("pad_token"); it != special_tokens.end())
    if (auto id = tok.token_to_id(it->second)) base.pad_token = it->second, base.pad_id = *id;
  return base;
}

}  // namespace modelexport::processors
