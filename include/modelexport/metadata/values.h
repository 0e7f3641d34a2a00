// Encoding metadata values for storage and decoding them back.
//
// Storage rule (seed design): a value larger than the threshold is gzip-compressed and
// base64-encoded under "<key>:compressed". A value that is not valid UTF-8 (a binary file) is always
// stored that way, because ONNX string fields are expected to hold text.
//
//   auto stored = encode_value("hf_tokenizer_json", json_text, {});   // {"hf_tokenizer_json:compressed", "H4sI..."}
//   std::string back = decode_value(stored.key, stored.value);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace modelexport::metadata {

struct CompressionOptions {
  bool compress = true;
  uint64_t threshold_bytes = 10 * 1024;  // values strictly larger are compressed
  int level = 6;                          // zlib level
};

// Inflated values larger than this are refused (decompression bombs). 1 GiB: far above the largest
// real tokenizer.json (~35 MB) yet bounded.
inline constexpr uint64_t kMaxInflatedValueBytes = 1ull << 30;

struct StoredValue {
  std::string key;    // logical key, plus ":compressed" when compressed
  std::string value;  // as stored
  bool compressed = false;
};

StoredValue encode_value(std::string_view logical_key, std::string_view value, const CompressionOptions& options);
// Decodes a stored value: compressed keys are base64-decoded and inflated. Throws MetadataReadError
// naming the key when the value is not valid base64 or gzip or exceeds max_inflated.
std::string decode_value(std::string_view stored_key, std::string_view stored_value,
                         uint64_t max_inflated = kMaxInflatedValueBytes);

}  // namespace modelexport::metadata
