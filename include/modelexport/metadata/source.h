// Finding a Hugging Face model's files: a model folder, or a Hub id resolved in the local Hugging
// Face cache. Offline by design: an id that is not in the cache is an error that says where it looked.
//
// Several sources may be combined (e.g. a folder with config.json plus a folder with the tokenizer):
// each file is taken from the first source that has it, so later sources fill what earlier ones
// lack. The sources together must hold config.json, or genai_config.json (an onnxruntime-genai
// folder, which has no config.json).
//
// Cache resolution follows huggingface_hub: HF_HUB_CACHE, else HF_HOME/hub, else
// XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; a model lives in
// models--ORG--NAME/snapshots/REV/ and "ORG/NAME" (or "ORG/NAME@BRANCH") resolves REV through
// refs/BRANCH (default main); "ORG/NAME@<commit hash>" names a snapshot directly.
//
//   auto src = modelexport::metadata::resolve_source("sentence-transformers/all-MiniLM-L6-v2");
//   auto files = modelexport::metadata::collect_files(src, Level::kFull);
//   auto both = modelexport::metadata::collect_files({resolve_source("cfg"), resolve_source("tok")}, Level::kFull);
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/metadata/schema.h"

namespace modelexport::metadata {

struct HfSource {
  std::string spec;             // as the user gave it
  std::filesystem::path dir;    // the folder (or Hub cache snapshot)
  bool from_hub_cache = false;
  std::string hub_id, revision;  // when from the cache

  // What may be recorded in a model people distribute: the Hub id, or the folder's own name —
  // never a local path.
  std::string public_name() const;
};

struct SourceFile {
  std::string name;   // relative path inside the folder, '/'-separated
  std::string key;    // metadata key it is stored under
  std::string bytes;  // verbatim content
  std::filesystem::path dir;  // the source folder it was read from
};

struct CollectedFiles {
  std::vector<SourceFile> files;      // in known_files() order, then legacy vocabularies by name
  std::vector<std::string> warnings;  // e.g. a tokenizer.json that is only a Git LFS pointer
};

// The HF hub cache folder per the environment (see above).
std::filesystem::path hub_cache_dir();
// Resolves a folder path or a Hub id. Throws MetadataReadError naming what is missing and where it looked.
HfSource resolve_source(std::string_view spec);
// Reads the files the level embeds, each from the first source that has it (a Git LFS pointer counts
// as missing). JSON files are checked (MetadataReadError names the file, line and column; nesting is
// limited as Hugging Face limits it); config.json or genai_config.json is required. A file larger
// than max_file_bytes, or one whose name is not valid UTF-8, is refused (MetadataEmbeddingError)
// before it is read.
CollectedFiles collect_files(const std::vector<HfSource>& sources, Level level, uint64_t max_file_bytes = UINT64_MAX);
CollectedFiles collect_files(const HfSource& source, Level level, uint64_t max_file_bytes = UINT64_MAX);
// The first source holding `name` as a regular file, or nullptr.
const HfSource* source_with(const std::vector<HfSource>& sources, std::string_view name);

}  // namespace modelexport::metadata
