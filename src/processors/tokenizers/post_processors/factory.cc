#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/post_processors/post_processors.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors {

std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& path) {
  json::check_depth(path);
  using namespace post_processors;
  std::string type = json::type_of(j, path);
  if (type == "TemplateProcessing") return make_template(j, path);
  if (type == "BertProcessing") return make_bert(j, path);
  if (type == "RobertaProcessing") return make_roberta(j, path);
  if (type == "ByteLevel") return make_byte_level(j, path);
  if (type == "Sequence") return make_sequence(j, path);
  json::unknown_type(path, type, "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
}

namespace post_processors {

void trim_offsets(Encoding& e, bool add_prefix_space) {
  auto is_space = [](char32_t c) { return c == 0x120 /* Ġ */ || unicode::is_whitespace(c); };
  for (size_t i = 0; i < e.tokens.size(); ++i) {
    const std::string& t = e.tokens[i];
    std::u32string chars;
    for (size_t k = 0; k < t.size();) chars.push_back(unicode::next(t, k));
    size_t leading = 0, trailing = 0;
    while (leading < chars.size() && is_space(chars[leading])) ++leading;
    while (trailing < chars.size() && is_space(chars[chars.size() - 1 - trailing])) ++trailing;
    auto& [start, end] = e.offsets[i];
    if (leading > 0) {
      bool first = i == 0 || start == 0;
      if (first && add_prefix_space && leading == 1) leading = 0;
      start = std::min(start + leading, end);
    }
    if (trailing > 0 && end >= trailing) end = std::max(end - trailing, start);
  }
}

std::pair<std::string, int32_t> token_pair(const Json& j, const char* key, const std::string& path) {
  const Json& p = json::field(j, key, path);
  if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number_integer())
    json::fail(path + "." + key, "expected [\"token\", id]");
  return {p[0].get<std::string>(), p[1].get<int32_t>()};
}

}  // namespace post_processors
}  // namespace modelexport::processors
