// Reading modelexport metadata back from an ONNX model: a top-level scan (the graph is skipped) that
// indexes our keys without copying or decoding them; a value is decoded (":compressed" values
// base64-decoded and inflated, capped) only when asked for. Foreign keys are listed as they are.
//
//   format::OnnxFile model("model.onnx");
//   ModelMetadata m = read_metadata(model);                  // cheap: no value is decoded yet
//   if (auto task = m.get(keys::kPipelineTask)) std::cout << *task;
//   std::string tok = m.value(keys::kTokenizerJson);         // throws MetadataReadError if undecodable
//
// Lifetime: a ModelMetadata views the OnnxFile's mapping and must not outlive it. Not thread-safe
// (decoded values are cached).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/format/onnx_file.h"

namespace modelexport::metadata {

struct MetadataEntry {
  std::string stored_key;   // as in the file
  std::string_view stored;  // as in the file
  bool compressed = false;
};

struct ManifestEntry {
  std::string name, key, sha256;
  uint64_t size = 0;
};

class ModelMetadata {
 public:
  // Keys of schema v2 (find_key: the fixed keys, hf_quantization included, and hf_file:*) by logical
  // name (last occurrence wins, as for protobuf readers).
  std::map<std::string, MetadataEntry> entries;
  // Keys that are not in the schema, in file order, untouched.
  std::vector<std::pair<std::string, std::string>> foreign;
  // Logical keys stored more than once (e.g. both plain and compressed).
  std::vector<std::string> duplicates;

  bool has_schema() const { return entries.count("hf_metadata_version") > 0; }
  bool has(std::string_view key) const { return entries.count(std::string(key)) > 0; }
  // The decoded value. Throws MetadataReadError naming the key when it is missing or undecodable.
  const std::string& value(std::string_view key) const;
  // The decoded value, or nullopt when missing or undecodable.
  std::optional<std::string> get(std::string_view key) const;
  // Why a present key does not decode; empty when it decodes.
  std::string decode_error(std::string_view key) const;
  // The size of the decoded value; nullopt when the key is missing or its value does not decode
  // (decode_error says why). A compressed value is inflated to measure it: gzip's size trailer
  // (ISIZE) is whatever the writer put there, so it is not trusted. The size is cached, the bytes
  // are not (unless value() already decoded them).
  std::optional<uint64_t> decoded_size(std::string_view key) const;
  // A warning when hf_metadata_version's major version is not the schema's this tool reads (2):
  // keys may mean something else there, so what is read from it may be wrong. Empty for "2.x" and
  // when there is no version (no modelexport metadata). Every reader of a model (run, tokenize,
  // unpack) passes it on; validate reports it as an error.
  std::string version_warning() const;
  // The parsed hf_manifest. Throws MetadataReadError if it is missing or malformed.
  std::vector<ManifestEntry> manifest() const;

 private:
  mutable std::map<std::string, std::string, std::less<>> decoded_;
  mutable std::map<std::string, uint64_t, std::less<>> sizes_;
};

ModelMetadata read_metadata(const format::OnnxFile& model);

}  // namespace modelexport::metadata
