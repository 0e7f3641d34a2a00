// Embedding Hugging Face metadata into an ONNX model (the `embed-metadata` command).
//
// The model is streamed: its top-level fields, graph included, are copied byte for byte; modelexport's
// own keys are replaced (never duplicated) and every other metadata_props entry is kept as it was.
// External data files are left untouched; when the output goes to another folder they are copied
// beside it so the output loads. Writing goes through a temporary file, so a failure leaves both the
// input and any existing output intact.
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
  std::string source_dir;
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

// Builds the metadata for a source without touching any model.
MetadataBundle build_metadata(const HfSource& source, Level level, const std::string& task_override,
                              const CompressionOptions& compression);

EmbedReport embed_metadata(const std::filesystem::path& model, std::string_view source, const EmbedOptions& options);

}  // namespace modelexport::metadata
