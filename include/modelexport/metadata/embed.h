// Embedding Hugging Face metadata into an ONNX model (the `embed-metadata` command).
//
// The model is streamed: its top-level fields, graph included, are copied byte for byte; modelexport's
// own keys are replaced (never duplicated) and every other metadata_props entry is kept as it was.
// External data files are left untouched; when the output goes to another folder they are copied
// beside it so the output loads. Writing goes through a temporary file, so a failure leaves both the
// input and any existing output intact (an output that is a symlink is written through to its target;
// a read-only output is refused).
//
// Refused before anything is written: an output past protobuf's 2 GB limit for one file (ONNX Runtime
// cannot parse it: move the weights to external data), and a file larger than the 1 GiB a metadata
// value may hold (kMaxInflatedValueBytes, which validate and every reader enforce).
//
// Several sources may be given (a config folder plus a tokenizer folder, ...): each file comes from
// the first source that has it. An onnxruntime-genai folder (genai_config.json, no config.json) is a
// source too; hf_model_config then holds the model facts genai_config.json states.
//
//   EmbedOptions opt;                       // level full, compression over 10 KB, task detected
//   opt.output = "model.self-contained.onnx";
//   EmbedReport r = embed_metadata("model.onnx", "path/to/hf-folder-or-hub-id", opt);
//   std::cout << r.task << " " << r.stored_bytes << "\n";
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/source.h"
#include "modelexport/metadata/task.h"
#include "modelexport/metadata/values.h"

namespace modelexport::metadata {

// protobuf refuses to parse a message of 2 GiB or more (its limit is INT32_MAX bytes).
inline constexpr uint64_t kMaxSingleFileBytes = 2147483647;

struct EmbedOptions {
  Level level = Level::kFull;
  CompressionOptions compression;
  std::string task;                   // empty: detect; otherwise a task name or alias
  std::filesystem::path output;       // empty: replace the input (atomically)
  bool show_progress = true;
};

struct EmbeddedEntry {
  std::string key;         // as stored (":compressed" when compressed)
  std::string file;        // source file name, empty for generated values
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;
  bool compressed = false;
};

// What embedding produces before anything is written: the logical key/value pairs.
struct MetadataBundle {
  std::vector<std::pair<std::string, std::string>> entries;  // logical key → value, in write order
  std::vector<std::string> files;                            // embedded file names
  TaskDetection task;
  std::vector<std::string> warnings;
};

struct EmbedReport {
  std::filesystem::path input, output;
  std::string source_dir;                // the first source's folder
  std::vector<std::string> source_dirs;  // every source's folder, in order
  Level level = Level::kFull;
  TaskDetection task;
  std::vector<EmbeddedEntry> entries;
  uint64_t raw_bytes = 0, stored_bytes = 0;  // metadata values before/after compression
  uint64_t model_bytes_before = 0, model_bytes_after = 0;
  std::vector<std::string> replaced_keys;    // our keys that were already there
  std::vector<std::string> preserved_keys;   // foreign keys kept untouched
  std::vector<std::string> copied_external_data;
  std::vector<std::string> warnings;
};

// Builds the metadata for the sources without touching any model.
MetadataBundle build_metadata(const std::vector<HfSource>& sources, Level level, const std::string& task_override,
                              const CompressionOptions& compression);
MetadataBundle build_metadata(const HfSource& source, Level level, const std::string& task_override,
                              const CompressionOptions& compression);

// Throws MetadataEmbeddingError (naming both sizes) when a single ONNX file of model_bytes (the kept
// fields, graph included) plus metadata_bytes (the serialized metadata_props) would exceed
// kMaxSingleFileBytes.
void check_output_size(uint64_t model_bytes, uint64_t metadata_bytes);

EmbedReport embed_metadata(const std::filesystem::path& model, const std::vector<std::string>& sources,
                           const EmbedOptions& options);
EmbedReport embed_metadata(const std::filesystem::path& model, std::string_view source, const EmbedOptions& options);

}  // namespace modelexport::metadata
