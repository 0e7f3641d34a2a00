// The Hugging Face files of a model by their names in a model folder ("config.json",
// "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
// "1_Pooling/config.json", "vocab.txt", ...): from the model's embedded metadata when it carries
// modelexport metadata, otherwise from the folder beside the model (its own folder, or the parent
// when the model sits in an Optimum / transformers.js "onnx/" subfolder).
//
//   ModelFiles files = ModelFiles::from_model("model.onnx");   // throws MetadataReadError if undecodable
//   if (const std::string* config = files.get("config.json")) ...
//   std::cout << files.source;                                  // "embedded metadata" or "folder /x/y"
//
// Files are read or decoded eagerly (a few MB at most); a ModelFiles owns its bytes.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::metadata {

struct ModelFiles {
  std::map<std::string, std::string, std::less<>> files;
  std::string source;     // where the files came from, for messages
  bool embedded = false;  // true: from the model's metadata
  std::vector<std::string> warnings;  // for the user (an unknown metadata version); callers print them

  const std::string* get(std::string_view name) const {
    auto it = files.find(name);
    return it == files.end() ? nullptr : &it->second;
  }
  bool has(std::string_view name) const { return files.count(name) > 0; }

  static ModelFiles from_model(const std::filesystem::path& onnx_model);
  // The Hugging Face files of a model folder (the names above, legacy vocabularies, *.model).
  static ModelFiles from_folder(const std::filesystem::path& folder);
};

}  // namespace modelexport::metadata
