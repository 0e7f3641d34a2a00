// libFuzzer target: decoding of stored metadata values (metadata/values.h): base64, then gzip with
// the inflation cap, as `KEY:compressed` values are read. The first byte picks plain/compressed.
#include "fuzz_support.h"
#include "modelexport/common/codec.h"
#include "modelexport/metadata/values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size == 0) return 0;
  const bool compressed = data[0] & 1;
  const std::string_view value = fuzz::as_view(data + 1, size - 1);
  fuzz::expect_contract(
      [&] { (void)metadata::decode_value(compressed ? "hf_config:compressed" : "hf_config", value, 1 << 20); });
  // The raw codecs too: gzip on the bytes themselves (the base64 layer keeps most inputs away).
  fuzz::expect_contract([&] { (void)gzip_decompress(value, 1 << 20); });
  fuzz::expect_contract([&] { (void)base64_decode(value); });
  return 0;
}
