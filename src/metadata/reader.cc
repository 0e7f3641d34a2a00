#include "modelexport/metadata/reader.h"

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/values.h"

namespace modelexport::metadata {

const std::string& ModelMetadata::value(std::string_view key) const {
  if (auto it = decoded_.find(key); it != decoded_.end()) return it->second;
  auto e = entries.find(std::string(key));
  if (e == entries.end()) throw MetadataReadError("metadata key '" + std::string(key) + "' is missing");
  return decoded_.emplace(std::string(key), decode_value(e->second.stored_key, e->second.stored)).first->second;
}

std::optional<std::string> ModelMetadata::get(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  try {
    return value(key);
  } catch (const MetadataReadError&) {
    return std::nullopt;
  }
}

std::string ModelMetadata::decode_error(std::string_view key) const {
  try {
    value(key);
    return {};
  } catch (const MetadataReadError& e) {
    return e.what();
  }
}

std::optional<uint64_t> ModelMetadata::decoded_size(std::string_view key) const {
  if (auto it = decoded_.find(key); it != decoded_.end()) return it->second.size();
  if (auto it = sizes_.find(key); it != sizes_.end()) return it->second;
  auto e = entries.find(std::string(key));
  if (e == entries.end()) return std::nullopt;
  if (!e->second.compressed) return e->second.stored.size();
  try {
    uint64_t n = decode_value(e->second.stored_key, e->second.stored).size();
    sizes_.emplace(std::string(key), n);
    return n;
  } catch (const MetadataReadError&) { return std::nullopt; }
}

std::string ModelMetadata::version_warning() const {
  auto version = get(keys::kVersion);
  if (!version) return {};
  std::string_view major_of_ours = kSchemaVersion.substr(0, kSchemaVersion.find('.'));
  std::string_view v = *version;
  if (v.substr(0, v.find('.')) == major_of_ours && (v.size() == major_of_ours.size() || v[major_of_ours.size()] == '.'))
    return {};
  return "hf_metadata_version is '" + *version + "', a major version this tool does not know (it reads schema " +
         std::string(kSchemaVersion) + "); the metadata may be misread";
}

std::vector<ManifestEntry> ModelMetadata::manifest() const {
  if (!has(keys::kManifest)) throw MetadataReadError("the model has no hf_manifest key; was it written by modelexport embed-metadata?");
  Json j = parse_json_object(value(keys::kManifest), "metadata key hf_manifest");
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

ModelMetadata read_metadata(const format::OnnxFile& model) {
  ModelMetadata m;
  for (const auto& p : model.header().metadata_props) {
    if (!find_key(logical_key(p.key))) {
      m.foreign.emplace_back(p.key, p.value);
      continue;
    }
    std::string logical(logical_key(p.key));
    if (m.entries.count(logical)) m.duplicates.push_back(logical);
    m.entries[logical] = {std::string(p.key), p.value, logical != p.key};
  }
  return m;
}

}  // namespace modelexport::metadata
