#include "modelexport/metadata/reader.h"

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/values.h"

namespace modelexport::metadata {

std::optional<std::string> ModelMetadata::get(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end() || !it->second.error.empty()) return std::nullopt;
  return it->second.value;
}

std::vector<ManifestEntry> ModelMetadata::manifest() const {
  auto text = get(keys::kManifest);
  if (!text) throw MetadataReadError("the model has no readable hf_manifest key; was it written by modelexport embed-metadata?");
  Json j = parse_json_object(*text, "metadata key hf_manifest");
  if (!j.contains("files") || !j["files"].is_array())
    throw MetadataReadError("metadata key hf_manifest: expected a \"files\" array");
  std::vector<ManifestEntry> out;
  size_t i = 0;
  for (const auto& f : j["files"]) {
    std::string where = "hf_manifest.files[" + std::to_string(i++) + "]";
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("key") || !f["key"].is_string() ||
        !f.contains("size") || !f["size"].is_number_unsigned() || !f.contains("sha256") || !f["sha256"].is_string())
      throw MetadataReadError("metadata key " + where + ": expected {name: string, key: string, size: unsigned, sha256: string}");
    out.push_back({f["name"].get<std::string>(), f["key"].get<std::string>(), f["sha256"].get<std::string>(),
                   f["size"].get<uint64_t>()});
  }
  return out;
}

ModelMetadata read_metadata(const format::OnnxFile& model, bool strict) {
  ModelMetadata m;
  for (const auto& p : model.header().metadata_props) {
    if (!is_owned_key(p.key)) {
      m.foreign.emplace_back(p.key, p.value);
      continue;
    }
    std::string logical(logical_key(p.key));
    DecodedValue v;
    v.stored_key = p.key;
    v.compressed = logical != p.key;
    v.stored_bytes = p.value.size();
    try {
      v.value = decode_value(p.key, p.value);
    } catch (const MetadataReadError& e) {
      if (strict) throw MetadataReadError("'" + model.path().string() + "': " + e.what());
      v.error = e.what();
    }
    if (m.values.count(logical)) m.duplicates.push_back(logical);
    m.values[logical] = std::move(v);
  }
  return m;
}

}  // namespace modelexport::metadata
