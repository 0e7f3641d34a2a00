// Finding a Hugging Face model's files: a model folder, or a Hub id resolved in the local Hugging
// Face cache. Offline by design: an id that is not in the cache is an error that says where it looked.
//
// Cache resolution follows huggingface_hub: HF_HUB_CACHE, else HF_HOME/hub, else
// XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; a model lives in
// models--ORG--NAME/snapshots/REV/ and "ORG/NAME" (or "ORG/NAME@BRANCH") resolves REV through
// refs/BRANCH (default main); "ORG/NAME@<commit hash>" names a snapshot directly.
//
//   auto src = modelexport::metadata::resolve_source("sentence-transformers/all-MiniLM-L6-v2");
//   auto files = modelexport::metadata::collect_files(src, Level::kFull);
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/metadata/schema.h"

namespace modelexport::metadata {

struct HfSource {
  std::string spec;             // as the user gave it
  std::filesystem::path dir;    // the folder holding config.json
  bool from_hub_cache = false;
  std::string hub_id, revision;  // when from the cache
};

struct SourceFile {
  std::string name;   // relative path inside the folder, '/'-separated
  std::string key;    // metadata key it is stored under
  std::string bytes;  // verbatim content
};

struct CollectedFiles {
  std::vector<SourceFile> files;      // in known_files() order, then legacy vocabularies by name
  std::vector<std::string> warnings;  // e.g. a tokenizer.json that is only a Git LFS pointer
};

// The HF hub cache folder per the environment (see above).
std::filesystem::path hub_cache_dir();
// Resolves a folder path or a Hub id. Throws MetadataReadError naming what is missing and where it looked.
HfSource resolve_source(std::string_view spec);
// Reads the files the level embeds. JSON files are checked (MetadataReadError names the file, line
// and column); config.json is required.
CollectedFiles collect_files(const HfSource& source, Level level);

}  // namespace modelexport::metadata
