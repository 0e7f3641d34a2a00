// encode_png: an 8-bit L, RGB or RGBA image as PNG through libpng (zlib level 6, no filter choice
// forced), as Pillow's Image.save(..., "PNG") writes the same pixels by default (compress_level 6).
// Only the pixels are promised equal, not the bytes.
#include <png.h>

#include <string>

#include "modelexport/common/error.h"
#include "modelexport/processors/image.h"

namespace modelexport::processors {

std::string encode_png(const Image& image) {
  if (image.width < 1 || image.height < 1 || (image.channels != 1 && image.channels != 3 && image.channels != 4) ||
      image.pixels.size() != size_t(image.width) * image.height * image.channels)
    throw UsageError("encode_png: an L, RGB or RGBA image with width * height * channels bytes expected");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 1 ? PNG_FORMAT_GRAY : image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(png, size, 0, image.pixels.data(), 0, nullptr))
    throw RuntimeError(std::string("encode_png: ") + png.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr))
    throw RuntimeError(std::string("encode_png: ") + png.message);
  out.resize(size);
  return out;
}

}  // namespace modelexport::processors
