// Reading modelexport metadata back from an ONNX model: a top-level scan (the graph is skipped),
// then each of our keys decoded (":compressed" values inflated). Foreign keys are listed as they are.
//
//   format::OnnxFile model("model.onnx");
//   ModelMetadata m = read_metadata(model);              // throws MetadataReadError on bad values
//   if (auto task = m.get(keys::kPipelineTask)) std::cout << *task;
//   for (const auto& f : m.manifest()) std::cout << f.name << " " << f.sha256 << "\n";
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "modelexport/format/onnx_file.h"

namespace modelexport::metadata {

struct DecodedValue {
  std::string stored_key;    // as in the file
  std::string value;         // decoded (empty when error is set)
  bool compressed = false;
  uint64_t stored_bytes = 0;
  std::string error;         // why decoding failed (lenient reads only)
};

struct ManifestEntry {
  std::string name, key, sha256;
  uint64_t size = 0;
};

class ModelMetadata {
 public:
  // Our keys by logical name (last occurrence wins, as for protobuf readers).
  std::map<std::string, DecodedValue> values;
  // Keys that are not ours, in file order, untouched.
  std::vector<std::pair<std::string, std::string>> foreign;
  // Logical keys stored more than once (e.g. both plain and compressed).
  std::vector<std::string> duplicates;

  bool has_schema() const { return values.count("hf_metadata_version") > 0; }
  // The decoded value of a logical key, if present and decodable.
  std::optional<std::string> get(std::string_view key) const;
  // The parsed hf_manifest. Throws MetadataReadError if it is missing or malformed.
  std::vector<ManifestEntry> manifest() const;
};

// strict: throw MetadataReadError for the first undecodable value; otherwise record it in
// DecodedValue::error and go on (validate uses this to list every finding).
ModelMetadata read_metadata(const format::OnnxFile& model, bool strict = true);

}  // namespace modelexport::metadata
