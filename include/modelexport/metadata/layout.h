// Folder layouts that Optimum and transformers.js load (the `unpack` and `export` commands).
//
//   optimum:          OUT/model.onnx, OUT/config.json, tokenizer files, OUT/export_metadata.json
//   transformers.js:  OUT/onnx/model.onnx, the same files at the top, OUT/export_metadata.json
//
// unpack reads everything from a self-contained model (embedded files come back byte for byte);
// export copies a Hugging Face folder beside a given ONNX file. The target folder must not exist; it
// is built in a temporary sibling folder and renamed into place, so a failure leaves nothing behind.
// External data files travel with the model; in the transformers.js layout they are named after the
// model file (onnx/model.onnx_data, model.onnx_data_1, ... as transformers.js loads them) and every
// location in the graph is rewritten to match.
//
//   auto r = unpack_model("model.onnx", "out-dir", Layout::kTransformersJs);
//   for (const auto& f : r.files) std::cout << f.name << " " << f.size << "\n";
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::metadata {

enum class Layout { kOptimum, kTransformersJs };
// "optimum" or "transformers.js"; throws UsageError otherwise.
Layout parse_layout(std::string_view name);
std::string_view layout_name(Layout layout);

struct WrittenFile {
  std::string name;  // relative to the target folder
  uint64_t size = 0;
  std::string sha256;
};

struct LayoutReport {
  std::filesystem::path out_dir;
  std::vector<WrittenFile> files;  // export_metadata.json last
  std::vector<std::string> warnings;
};

LayoutReport unpack_model(const std::filesystem::path& model, const std::filesystem::path& out_dir, Layout layout);

// The file name a layout gives a model: its own when Optimum knows it (decoder_model_merged.onnx, ...),
// otherwise model.onnx.
std::string layout_onnx_name(const std::filesystem::path& model);

struct UnpackOptions {
  std::string onnx_file_name;  // the model's name in the layout, e.g. "model_q4.onnx"; default layout_onnx_name
  std::vector<std::pair<std::string, std::string>> extra_files;  // name relative to the folder → bytes
};
LayoutReport unpack_model(const std::filesystem::path& model, const std::filesystem::path& out_dir, Layout layout,
                          const UnpackOptions& options);
LayoutReport export_model(std::string_view source, const std::filesystem::path& model,
                          const std::filesystem::path& out_dir, Layout layout);

}  // namespace modelexport::metadata
