#include "modelexport/metadata/values.h"

#include "common/json_util.h"
#include "modelexport/common/codec.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/schema.h"

namespace modelexport::metadata {

StoredValue encode_value(std::string_view logical, std::string_view value, const CompressionOptions& o) {
  bool binary = !is_valid_utf8(value);
  if (binary || (o.compress && value.size() > o.threshold_bytes))
    return {std::string(logical) + std::string(kCompressedSuffix), base64_encode(gzip_compress(value, o.level)), true};
  return {std::string(logical), std::string(value), false};
}

std::string decode_value(std::string_view stored_key, std::string_view stored_value, uint64_t max_inflated) {
  if (logical_key(stored_key) == stored_key) return std::string(stored_value);
  try {
    return gzip_decompress(base64_decode(stored_value), max_inflated);
  } catch (const MetadataReadError& e) {
    throw MetadataReadError("metadata key '" + std::string(stored_key) + "': " + e.what());
  }
}

}  // namespace modelexport::metadata
