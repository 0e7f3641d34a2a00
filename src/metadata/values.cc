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
    std::string gz = base64_decode(stored_value);
    // gzip's ISIZE trailer (RFC 1952: the last 4 bytes, little-endian) is only a claim, and the
    // decoder sizes its buffer by it. DEFLATE expands at most 1032:1 (RFC 1951: a 258-byte match in
    // 2 bits), so a claim beyond that is a corrupt trailer, refused before any buffer is allocated.
    if (gz.size() >= 18) {
      uint64_t isize = 0;
      for (int i = 0; i < 4; ++i)
        isize |= static_cast<uint64_t>(static_cast<unsigned char>(gz[gz.size() - 4 + i])) << (8 * i);
      if (isize > 1032 * static_cast<uint64_t>(gz.size()))
        throw MetadataReadError("invalid gzip data: the size trailer declares " + std::to_string(isize) +
                                " bytes, more than " + std::to_string(gz.size()) +
                                " compressed bytes can inflate to (DEFLATE's 1032:1): a corrupt size trailer");
    }
    return gzip_decompress(gz, max_inflated);
  } catch (const MetadataReadError& e) {
    throw MetadataReadError("metadata key '" + std::string(stored_key) + "': " + e.what());
  }
}

}  // namespace modelexport::metadata
