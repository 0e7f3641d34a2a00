// libFuzzer target: image decoding (processors/image.h: JPEG, PNG, WebP, GIF, BMP sniffed from the
// bytes, EXIF orientation, Pillow's RGB conversion) under a small pixel limit, then a resize with a
// filter and size picked from the decoded image, as the image processors call it.
#include "fuzz_support.h"
#include "modelexport/processors/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  processors::ImageDecodeOptions options;
  options.max_pixels = 1u << 22;  // 4 megapixels: bounded memory per input
  fuzz::expect_contract([&] {
    processors::Image image = processors::decode_image(fuzz::as_view(data, size), "fuzz", options);
    const auto filter = static_cast<processors::Resample>(size % 6);
    (void)processors::resize_image(image, 1 + image.width % 97, 1 + image.height % 89, filter);
  });
  return 0;
}
