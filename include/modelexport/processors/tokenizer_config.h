// What transformers takes from tokenizer_config.json (and special_tokens_map.json) on top of
// tokenizer.json: the one policy every caller applies (the tokenize command, runtime::AutoProcessor).
//
//   TokenizerConfig c = TokenizerConfig::from_files(files);    // metadata::ModelFiles
//   if (c.model_max_length) truncation.max_length = *c.model_max_length;
//   tok.set_padding(c.padding(tok, tok.padding().value_or(PaddingParams{})));
//
// null is treated as absent everywhere, as transformers does (`"padding_side": null` keeps the
// default). Values of the wrong type throw ProcessorReconstructionError naming the file and key.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/tokenizer.h"

namespace modelexport::processors {

struct TokenizerConfig {
  // model_max_length when it is a limit: a positive integer below 1e20 (transformers'
  // LARGE_INTEGER; larger values, such as the int(1e30) sentinel it writes, mean "no limit").
  std::optional<size_t> model_max_length;
  // padding_side: "left" → true, "right" → false; absent or null: tokenizer.json's direction.
  std::optional<bool> padding_left;
  // Special tokens by role ("pad_token", "mask_token", ...): tokenizer_config.json, then
  // special_tokens_map.json for roles it does not name. A token is a string or {"content": ...}.
  std::map<std::string, std::string> special_tokens;
  // clean_up_tokenization_spaces; absent or null: unset.
  std::optional<bool> clean_up_tokenization_spaces;

  // Both texts may be empty (file absent).
  static TokenizerConfig parse(std::string_view tokenizer_config_json, std::string_view special_tokens_map_json = {});
  static TokenizerConfig from_files(const metadata::ModelFiles& files);

  // `base` with the config's padding side and pad token (when the vocabulary has it).
  PaddingParams padding(const Tokenizer& tok, PaddingParams base) const;
};

}  // namespace modelexport::processors
