// Byte codecs used by the metadata layer: base64 (RFC 4648, standard alphabet, padded) and gzip
// (RFC 1952). Decoders are strict and bounded: invalid input throws MetadataReadError naming the
// position, and gzip_decompress refuses to inflate beyond max_output bytes (decompression bombs).
//
//   std::string packed = modelexport::base64_encode(modelexport::gzip_compress(json));
//   std::string back = modelexport::gzip_decompress(modelexport::base64_decode(packed), 64 << 20);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace modelexport {

std::string base64_encode(std::string_view bytes);
// Throws MetadataReadError on characters outside the alphabet, bad padding or length.
std::string base64_decode(std::string_view text);

// level: 1..12 (libdeflate; 6 is zlib's default trade-off).
std::string gzip_compress(std::string_view bytes, int level = 6);
// Throws MetadataReadError when the data is not gzip, is truncated/corrupt, or would inflate to
// more than max_output bytes.
std::string gzip_decompress(std::string_view gz, uint64_t max_output);

}  // namespace modelexport
