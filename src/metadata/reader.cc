#include "modelexport/metadata/reader.h"

#include "common/json_util.h"
#include "modelexport/common/codec.h"
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

uint64_t ModelMetadata::decoded_size(std::string_view key) const {
  auto e = entries.find(std::string(key));
  if (e == entries.end()) return 0;
  if (!e->second.compressed) return e->second.stored.size();
  // gzip's last 4 bytes (ISIZE) hold the inflated size mod 2^32, little-endian: decode only the
  // last base64 quantum(s) that cover them.
  std::string_view s = e->second.stored;
  if (s.size() < 12 || s.size() % 4 != 0) return 0;
  try {
    std::string tail = base64_decode(s.substr(s.size() - 12));
    if (tail.size() < 4) return 0;
    uint64_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(tail[tail.size() - 4 + i])) << (8 * i);
    return n;
  } catch (const MetadataReadError&) {
    return 0;
  }
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
    if (!is_owned_key(p.key)) {
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
