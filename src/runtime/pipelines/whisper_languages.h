// Whisper's language names and codes, and the --language rule of Python transformers' Whisper generate
// (internal to the Whisper pipeline).
//
//   whisper_language_token("French", lang_to_id)   // "<|fr|>" (also "fr", "<|fr|>", "castilian" -> "<|es|>")
//   whisper_language_name("fr")                    // "french" (what _decode_asr puts in a chunk's "language")
//
// Tables: transformers src/transformers/models/whisper/tokenization_whisper.py LANGUAGES (100 codes, in
// the tokens' order, "yue" last) and TO_LANGUAGE_CODE (every name plus 12 aliases: burmese, valencian,
// flemish, haitian, letzeburgesch, pushto, panjabi, moldavian, moldovan, sinhalese, castilian,
// mandarin), as imported by generation_whisper.py at commit 000dccdb. transformers.js 4.3.1
// (models/whisper/common_whisper.js) has the same tables without "yue" and "mandarin".
// The rule: models/whisper/generation_whisper.py at 000dccdb, _retrieve_init_tokens' language_to_id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelexport::runtime {

// LANGUAGES: (code, name) in Python's order.
const std::vector<std::pair<std::string_view, std::string_view>>& whisper_languages();

// LANGUAGES[code] ("en" -> "english"); nullopt for a code Whisper does not name.
std::optional<std::string_view> whisper_language_name(std::string_view code);

// Python's language_to_id, as the token it looks up: `language` lower-cased is a key of lang_to_id
// ("<|fr|>"), a name or alias of TO_LANGUAGE_CODE ("french"), or a code ("fr"). Throws UsageError
// naming the option (`option`, e.g. "--language") for anything else — listing Whisper's codes when
// it has two letters, its names otherwise, as Python does — and for a language this model's
// lang_to_id lacks (listing the model's languages).
std::string whisper_language_token(std::string_view language, const std::map<std::string, int64_t>& lang_to_id,
                                   std::string_view option = "--language");

}  // namespace modelexport::runtime
