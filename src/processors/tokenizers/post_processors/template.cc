// tokenizers processors/template.rs: single/pair templates of special tokens and sequences A/B,
// each with a type id; special tokens only when add_special_tokens, type ids always.
#include <algorithm>
#include <charconv>

#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/post_processors/post_processors.h"

namespace modelexport::processors::post_processors {
namespace {

struct Piece {
  bool is_sequence;
  std::string id;  // "A"/"B" or the special token's id
  int32_t type_id;
};
struct SpecialToken {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
};

std::vector<Piece> parse_template(const Json& j, const std::string& path) {
  std::vector<Piece> out;
  if (j.is_string()) {  // "[CLS] $A [SEP]" / "$B:1" shorthand
    std::string s = j.get<std::string>();
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find(' ', pos);
      std::string item = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? s.size() : end + 1;
      if (item.empty()) continue;
      int32_t type_id = 0;
      if (auto colon = item.rfind(':'); colon != std::string::npos && colon > 0) {
        // The type id is a whole number (template.rs's Piece::try_from parses a u32; we hold int32).
        // std::stoi threw a foreign exception here ("$A:x", "$A:99999999999").
        const std::string digits = item.substr(colon + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), type_id);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || type_id < 0)
          json::fail(path, "the piece \"" + item + "\" has the type id \"" + digits +
                               "\"; expected a whole number from 0 to 2147483647");
        item = item.substr(0, colon);
      }
      if (item == "$A" || item == "$" || item == "$0") out.push_back({true, "A", type_id});
      else if (item == "$B" || item == "$1") out.push_back({true, "B", type_id});
      else out.push_back({false, item, type_id});
    }
    return out;
  }
  if (!j.is_array()) json::fail(path, "expected a template array or string");
  for (size_t i = 0; i < j.size(); ++i) {
    std::string where = path + "[" + std::to_string(i) + "]";
    const Json& p = j[i];
    if (p.contains("Sequence")) {
      out.push_back({true, json::string_or(p["Sequence"], "id", where, "A"),
                     static_cast<int32_t>(json::int_or(p["Sequence"], "type_id", where, 0))});
    } else if (p.contains("SpecialToken")) {
      out.push_back({false, json::string_or(p["SpecialToken"], "id", where, ""),
                     static_cast<int32_t>(json::int_or(p["SpecialToken"], "type_id", where, 0))});
    } else {
      json::fail(where, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    }
  }
  return out;
}

class Template : public PostProcessor {
 public:
  Template(std::vector<Piece> single, std::vector<Piece> pair, std::unordered_map<std::string, SpecialToken> special)
      : single_(std::move(single)), pair_(std::move(pair)), special_(std::move(special)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : is_pair ? pair_ : single_)
      if (!p.is_sequence) n += special_.at(p.id).ids.size();
    return n;
  }

  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    const auto& tmpl = encodings.size() == 2 ? pair_ : single_;
    std::vector<Encoding> out;
    for (const auto& p : tmpl) {
      if (p.is_sequence) {
        size_t i = p.id == "A" ? 0 : 1;
        if (i >= encodings.size()) continue;
        Encoding e = encodings[i];
        e.type_ids.assign(e.ids.size(), p.type_id);
        e.sequence_ids.assign(e.ids.size(), static_cast<uint32_t>(i));
        out.push_back(std::move(e));
      } else if (add_special_tokens) {
        const SpecialToken& t = special_.at(p.id);
        out.push_back(special_token_encoding(t.ids, t.tokens, p.type_id));
      }
    }
    return out;
  }

 private:
  std::vector<Piece> single_, pair_;
  std::unordered_map<std::string, SpecialToken> special_;
};

}  // namespace

std::unique_ptr<PostProcessor> make_template(const Json& j, const std::string& path) {
  std::unordered_map<std::string, SpecialToken> special;
  if (j.contains("special_tokens") && j["special_tokens"].is_object()) {
    for (const auto& [name, t] : j["special_tokens"].items()) {
      std::string where = path + ".special_tokens." + name;
      SpecialToken st;
      const Json& ids = json::field(t, "ids", where);
      const Json& tokens = json::field(t, "tokens", where);
      if (!ids.is_array() || !std::all_of(ids.begin(), ids.end(), [](const Json& v) { return v.is_number_integer(); }))
        json::fail(where + ".ids", "expected an array of integer ids");
      if (!tokens.is_array() || !std::all_of(tokens.begin(), tokens.end(), [](const Json& v) { return v.is_string(); }))
        json::fail(where + ".tokens", "expected an array of strings");
      for (const auto& id : ids) st.ids.push_back(id.get<int32_t>());
      for (const auto& tok : tokens) st.tokens.push_back(tok.get<std::string>());
      if (st.ids.size() != st.tokens.size()) json::fail(where, "ids and tokens differ in length");
      special[json::string_or(t, "id", where, name)] = std::move(st);
    }
  }
  auto single = parse_template(json::field(j, "single", path), path + ".single");
  auto pair = j.contains("pair") ? parse_template(j["pair"], path + ".pair") : single;
  for (const auto* t : {&single, &pair})
    for (const auto& p : *t)
      if (!p.is_sequence && !special.count(p.id))
        json::fail(path, "the template names special token \"" + p.id + "\" that special_tokens lacks");
  return std::make_unique<Template>(std::move(single), std::move(pair), std::move(special));
}

}  // namespace modelexport::processors::post_processors
