#include "runtime/pipelines/whisper_languages.h"

#include <algorithm>
#include <cctype>

#include "modelexport/common/error.h"

namespace modelexport::runtime {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// TO_LANGUAGE_CODE's aliases (after the names of LANGUAGES).
const std::pair<std::string_view, std::string_view> kAliases[] = {
    {"burmese", "my"},       {"valencian", "ca"}, {"flemish", "nl"},   {"haitian", "ht"},
    {"letzeburgesch", "lb"}, {"pushto", "ps"},    {"panjabi", "pa"},   {"moldavian", "ro"},
    {"moldovan", "ro"},      {"sinhalese", "si"}, {"castilian", "es"}, {"mandarin", "zh"},
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

const std::vector<std::pair<std::string_view, std::string_view>>& whisper_languages() {
  static const std::vector<std::pair<std::string_view, std::string_view>> table = {
      {"en", "english"},        {"zh", "chinese"},     {"de", "german"},        {"es", "spanish"},
      {"ru", "russian"},        {"ko", "korean"},      {"fr", "french"},        {"ja", "japanese"},
      {"pt", "portuguese"},     {"tr", "turkish"},     {"pl", "polish"},        {"ca", "catalan"},
      {"nl", "dutch"},          {"ar", "arabic"},      {"sv", "swedish"},       {"it", "italian"},
      {"id", "indonesian"},     {"hi", "hindi"},       {"fi", "finnish"},       {"vi", "vietnamese"},
      {"he", "hebrew"},         {"uk", "ukrainian"},   {"el", "greek"},         {"ms", "malay"},
      {"cs", "czech"},          {"ro", "romanian"},    {"da", "danish"},        {"hu", "hungarian"},
      {"ta", "tamil"},          {"no", "norwegian"},   {"th", "thai"},          {"ur", "urdu"},
      {"hr", "croatian"},       {"bg", "bulgarian"},   {"lt", "lithuanian"},    {"la", "latin"},
      {"mi", "maori"},          {"ml", "malayalam"},   {"cy", "welsh"},         {"sk", "slovak"},
      {"te", "telugu"},         {"fa", "persian"},     {"lv", "latvian"},       {"bn", "bengali"},
      {"sr", "serbian"},        {"az", "azerbaijani"}, {"sl", "slovenian"},     {"kn", "kannada"},
      {"et", "estonian"},       {"mk", "macedonian"},  {"br", "breton"},        {"eu", "basque"},
      {"is", "icelandic"},      {"hy", "armenian"},    {"ne", "nepali"},        {"mn", "mongolian"},
      {"bs", "bosnian"},        {"kk", "kazakh"},      {"sq", "albanian"},      {"sw", "swahili"},
      {"gl", "galician"},       {"mr", "marathi"},     {"pa", "punjabi"},       {"si", "sinhala"},
      {"km", "khmer"},          {"sn", "shona"},       {"yo", "yoruba"},        {"so", "somali"},
      {"af", "afrikaans"},      {"oc", "occitan"},     {"ka", "georgian"},      {"be", "belarusian"},
      {"tg", "tajik"},          {"sd", "sindhi"},      {"gu", "gujarati"},      {"am", "amharic"},
      {"yi", "yiddish"},        {"lo", "lao"},         {"uz", "uzbek"},         {"fo", "faroese"},
      {"ht", "haitian creole"}, {"ps", "pashto"},      {"tk", "turkmen"},       {"nn", "nynorsk"},
      {"mt", "maltese"},        {"sa", "sanskrit"},    {"lb", "luxembourgish"}, {"my", "myanmar"},
      {"bo", "tibetan"},        {"tl", "tagalog"},     {"mg", "malagasy"},      {"as", "assamese"},
      {"tt", "tatar"},          {"haw", "hawaiian"},   {"ln", "lingala"},       {"ha", "hausa"},
      {"ba", "bashkir"},        {"jw", "javanese"},    {"su", "sundanese"},     {"yue", "cantonese"},
  };
  return table;
}

std::optional<std::string_view> whisper_language_name(std::string_view code) {
  for (const auto& [c, name] : whisper_languages())
    if (c == code) return name;
  return std::nullopt;
}

std::string whisper_language_token(std::string_view language, const std::map<std::string, int64_t>& lang_to_id,
                                   std::string_view option) {
  const std::string l = lower(language);
  std::string token;
  if (lang_to_id.count(l)) {
    token = l;
  } else {
    std::optional<std::string_view> code;
    for (const auto& [c, name] : whisper_languages())
      if (name == l) code = c;
    for (const auto& [alias, c] : kAliases)
      if (alias == l) code = c;
    if (!code)
      for (const auto& [c, name] : whisper_languages())
        if (c == l) code = c;
    if (!code) {
      // Python lists TO_LANGUAGE_CODE's values for a two-letter input, its keys otherwise.
      std::vector<std::string> valid;
      if (l.size() == 2) {
        for (const auto& [c, name] : whisper_languages()) valid.emplace_back(c);
      } else {
        for (const auto& [c, name] : whisper_languages()) valid.emplace_back(name);
        for (const auto& [alias, c] : kAliases) valid.emplace_back(alias);
      }
      throw UsageError(std::string(option) + " " + std::string(language) +
                       ": not a Whisper language; expected one of " +
                       (l.size() == 2 ? "Whisper's language codes (" : "Whisper's language names (") + joined(valid) +
                       (l.size() == 2 ? "), or a name or token such as French or <|fr|>"
                                      : "), or a code or token such as fr or <|fr|>"));
    }
    token = "<|" + std::string(*code) + "|>";
  }
  if (!lang_to_id.count(token)) {
    std::vector<std::string> codes;
    for (const auto& [name, id] : lang_to_id)
      codes.push_back(name.size() > 4 && name.rfind("<|", 0) == 0 ? name.substr(2, name.size() - 4) : name);
    throw UsageError(std::string(option) + " " + std::string(language) + ": " + token +
                     " is not a language of this model (generation_config.json lang_to_id has: " + joined(codes) + ")");
  }
  return token;
}

}  // namespace modelexport::runtime
