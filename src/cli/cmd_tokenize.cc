// modelexport tokenize SOURCE [--text T]... [--input FILE.jsonl] [--pair T2] [--no-special-tokens]
//                      [--decode IDS] [--max-length N] [--truncation] [--padding] [--threads N]
// SOURCE: a tokenizer.json, a model folder holding one, or a self-contained .onnx. One JSON line per
// text: ids, tokens, offsets, type_ids, attention_mask.
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/json_file.h"
#include "modelexport/common/files.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/tokenizer.h"
#include "modelexport/processors/tokenizer_config.h"

namespace modelexport::cli {
namespace {

namespace fs = std::filesystem;

struct TokenizeArgs {
  std::string source, input, decode;
  std::optional<std::string> pair;  // an empty pair is a pair (Hugging Face encodes it as one)
  std::vector<std::string> texts;
  bool no_special = false, truncation = false, padding = false;
  size_t max_length = 0, threads = 0;
};

// The tokenizer and its tokenizer_config.json / special_tokens_map.json settings from the source: a
// folder or a .onnx (its embedded metadata, else the folder beside it) through metadata::ModelFiles,
// or a bare tokenizer.json (no config).
std::pair<processors::Tokenizer, processors::TokenizerConfig> load_source(const std::string& source) {
  fs::path p(source);
  if (fs::is_directory(p) || p.extension() == ".onnx") {
    auto files = fs::is_directory(p) ? metadata::ModelFiles::from_folder(p) : metadata::ModelFiles::from_model(p);
    for (const auto& w : files.warnings) std::cerr << "warning: " << w << "\n";
    return {processors::Tokenizer::from_files(files), processors::TokenizerConfig::from_files(files)};
  }
  return {processors::Tokenizer::from_json(read_json_file(p, source)), processors::TokenizerConfig{}};
}

Json encoding_json(const processors::Encoding& e) {
  Json offsets = Json::array();
  for (const auto& [a, b] : e.offsets) offsets.push_back({a, b});
  return {{"ids", e.ids},
          {"tokens", e.tokens},
          {"offsets", offsets},
          {"type_ids", e.type_ids},
          {"attention_mask", e.attention_mask}};
}

int run_tokenize(const TokenizeArgs& a) {
  if (a.max_length > processors::kMaxPaddingLength)
    throw UsageError("--max-length " + std::to_string(a.max_length) + ": at most " +
                     std::to_string(processors::kMaxPaddingLength) +
                     " tokens (an encoding padded to N tokens takes ~100 bytes a token)");
  auto [tok, config] = load_source(a.source);

  if (!a.decode.empty()) {
    std::vector<int32_t> ids;
    std::string item;
    std::stringstream ss(a.decode);
    while (std::getline(ss, item, ',')) {
      try {
        ids.push_back(std::stoi(item));
      } catch (const std::exception&) {
        throw UsageError("--decode expects comma-separated integer ids, got '" + item + "'");
      }
    }
    // --no-special-tokens means the same in both directions: no special tokens in the output.
    std::cout << dump_json(Json({{"ids", ids}, {"text", tok.decode(ids, a.no_special)}})) << "\n";
    return kExitOk;
  }

  // --max-length / --truncation / --padding override tokenizer.json; tokenizer_config.json supplies
  // model_max_length, padding_side and pad_token as transformers does (processors::TokenizerConfig).
  size_t max_length = a.max_length ? a.max_length : config.model_max_length.value_or(0);
  if (a.truncation) {
    if (max_length == 0)
      throw UsageError("--truncation needs --max-length (tokenizer_config.json has no model_max_length)");
    processors::TruncationParams t;
    t.max_length = max_length;
    tok.set_truncation(t);
  }
  if (a.padding) {
    processors::PaddingParams p = config.padding(tok, tok.padding().value_or(processors::PaddingParams{}));
    p.length = a.max_length ? std::optional<size_t>(a.max_length) : std::nullopt;
    tok.set_padding(p);
  }

  std::vector<std::string> texts = a.texts;
  if (!a.input.empty()) {
    auto more = read_text_lines(a.input);
    texts.insert(texts.end(), more.begin(), more.end());
  }
  if (texts.empty()) throw UsageError("nothing to tokenize: give --text or --input");
  if (a.pair) {
    for (const auto& t : texts)
      std::cout << dump_json(encoding_json(tok.encode_pair(t, *a.pair, !a.no_special))) << "\n";
    return kExitOk;
  }
  for (const auto& e : tok.encode_batch(texts, !a.no_special, a.threads))
    std::cout << dump_json(encoding_json(e)) << "\n";
  return kExitOk;
}

}  // namespace

void add_tokenize_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<TokenizeArgs>();
  auto* cmd =
      app.add_subcommand("tokenize", "Tokenize text with a tokenizer.json, a model folder or a self-contained .onnx");
  cmd->add_option("source", a->source, "tokenizer.json, model folder, or self-contained .onnx")->required();
  cmd->add_option("--text", a->texts, "Text to tokenize (repeatable)");
  cmd->add_option("--input", a->input, "JSONL file of {\"text\": ...} lines (other fields ignored)");
  cmd->add_option("--pair", a->pair, "Second sequence, encoded as a pair with each text");
  cmd->add_flag("--no-special-tokens", a->no_special,
                "No special tokens in the output: not added when encoding, skipped when decoding");
  cmd->add_option("--decode", a->decode, "Decode comma-separated ids instead");
  cmd->add_option("--max-length", a->max_length, "Length for --truncation / --padding (default: model_max_length)");
  cmd->add_flag("--truncation", a->truncation, "Truncate to the max length");
  cmd->add_flag("--padding", a->padding, "Pad to --max-length, or to the longest text");
  cmd->add_option("--threads", a->threads, "Encoding threads (default: all cores)");
  cmd->callback([a, &action] { action = [a] { return run_tokenize(*a); }; });
}

}  // namespace modelexport::cli
