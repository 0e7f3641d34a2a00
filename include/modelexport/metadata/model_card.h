// The README.md model card written beside a transformers.js folder (`unpack`, `export`,
// `quantize --layout transformers.js`): what the Hub shows and `huggingface-cli upload` takes.
//
//   ---                                  YAML front matter: library_name transformers.js, pipeline_tag,
//   library_name: transformers.js        base_model (a Hub id, when the source was one), license (from
//   pipeline_tag: text-classification    the source card, when it has one), tags onnx, transformers.js,
//   ...                                  quantized (for a quantized file), modelexport
//   ---
//   usage: transformers.js (the file's dtype, a device it runs on), Optimum, modelexport
//   quantization settings, and the numbers quantize measured for that file — nothing else.
//
//   ModelCard c;
//   c.task = "text-classification";
//   c.files.push_back({"q4", "onnx/model_q4.onnx"});
//   std::string readme = model_card_text(c);
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelexport::metadata {

class ModelMetadata;

// One ONNX file of the folder, with what quantize said about it (all optional but dtype and path).
struct ModelCardFile {
  std::string dtype;  // fp32, fp16, q8, int8, uint8, q4, q4f16 (transformers.js' dtype names)
  std::string path;   // relative to the folder, e.g. onnx/model_q4.onnx
  // Quantization settings as "name" → "value" (block size, symmetric, accuracy level, targets, ...).
  std::vector<std::pair<std::string, std::string>> settings;
  // Measured rows as "what" → "value", printed verbatim: sizes, agreement with fp32, backends checked.
  std::vector<std::pair<std::string, std::string>> measured;
};

struct ModelCard {
  std::string name;        // a title: the Hub id or the source folder's name
  std::string task;        // pipeline task (pipeline_tag)
  std::string base_model;  // Hub id of the source, empty when unknown
  std::string license;     // from the source card's front matter, empty when unknown
  std::vector<ModelCardFile> files;
};

std::string model_card_text(const ModelCard& card);

// A card's name, task, base model and license as a self-contained file's metadata records them: the
// pipeline task, and export_config's hub_id (base model and name), license and source (the name when
// there is no Hub id). No files. An export_config that is not a JSON object adds nothing: a card only
// describes, and quantize builds its card after the model is in place.
ModelCard model_card_from_metadata(const ModelMetadata& metadata);

// The section for one more file, for a folder whose card modelexport wrote (see has_model_card_marker).
std::string model_card_file_section(const ModelCard& card, const ModelCardFile& file);

// True for a README.md written by model_card_text (quantize appends its file's section to such a card).
bool has_model_card_marker(std::string_view readme);

// A scalar of README.md's YAML front matter ("license", "pipeline_tag"), empty when absent.
std::string model_card_front_matter_value(std::string_view readme, std::string_view key);

}  // namespace modelexport::metadata
