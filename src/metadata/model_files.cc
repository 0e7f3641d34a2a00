#include "modelexport/metadata/model_files.h"

#include "common/json_file.h"
#include "modelexport/common/files.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"

namespace modelexport::metadata {

namespace fs = std::filesystem;

namespace {

// What a processor may need from a folder; the rest of a folder (weights, READMEs) is not read.
constexpr const char* kFolderFiles[] = {"config.json",
                                        "tokenizer.json",
                                        "tokenizer_config.json",
                                        "special_tokens_map.json",
                                        "generation_config.json",
                                        "modules.json",
                                        "1_Pooling/config.json",
                                        "preprocessor_config.json",
                                        "vocab.txt",
                                        "vocab.json",
                                        "merges.txt",
                                        "chat_template.jinja",
                                        "chat_template.json"};

bool is_hf_folder(const fs::path& dir) { return fs::exists(dir / "config.json") || fs::exists(dir / "tokenizer.json"); }

}  // namespace

ModelFiles ModelFiles::from_folder(const fs::path& folder) {
  ModelFiles out;
  out.source = "folder " + folder.string();
  for (const char* name : kFolderFiles) {
    const fs::path p = folder / name;
    if (!fs::is_regular_file(p)) continue;
    // JSON files over the JSON cap are refused by size, before they are read (a huge or sparse file).
    out.files[name] = p.extension() == ".json" ? read_json_file(p, p.string()) : read_file(p);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec))
    if (entry.path().extension() == ".model" && entry.is_regular_file())
      out.files[entry.path().filename().string()] = read_file(entry.path());
  return out;
}

ModelFiles ModelFiles::from_model(const fs::path& onnx_model) {
  format::OnnxFile file(onnx_model);
  ModelMetadata m = read_metadata(file);
  if (m.has_schema()) {
    ModelFiles out;
    out.source = "embedded metadata";
    out.embedded = true;
    if (auto w = m.version_warning(); !w.empty()) out.warnings.push_back("'" + onnx_model.string() + "': " + w);
    for (const auto& entry : m.manifest())
      if (m.has(entry.key)) out.files[entry.name] = m.value(entry.key);
    return out;
  }
  fs::path dir = fs::absolute(onnx_model).parent_path();
  if (!is_hf_folder(dir) && dir.filename() == "onnx" && is_hf_folder(dir.parent_path())) dir = dir.parent_path();
  ModelFiles out = from_folder(dir);
  if (out.files.empty()) out.source = "nothing: no embedded metadata and no Hugging Face files in " + dir.string();
  return out;
}

}  // namespace modelexport::metadata
