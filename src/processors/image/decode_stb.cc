// GIF (first frame) and BMP through stb_image (the Debian libstb build; stb_image.h is only declared
// here, its implementation is compiled into libstb). Palette images come out as their RGB entries,
// as Pillow's P → RGB conversion gives them.
#include <stb/stb_image.h>

#include <cstring>
#include <memory>

#include "processors/image/decoders.h"

namespace modelexport::processors::image_detail {

Decoded decode_stb(std::string_view bytes, std::string_view source, std::string_view format,
                   const ImageDecodeOptions& options) {
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(std::min<size_t>(bytes.size(), 0x7fffffff));
  int width = 0, height = 0, comp = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &comp))
    fail(source, format,
         std::string("corrupt or truncated file: ") +
             (stbi_failure_reason() ? stbi_failure_reason() : "unreadable header"));
  check_pixel_count(static_cast<uint64_t>(width), static_cast<uint64_t>(height), options, source, format);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_memory(data, length, &width, &height, &comp, 3),
                                                   stbi_image_free);
  if (!pixels)
    fail(
        source, format,
        std::string("corrupt or truncated file: ") + (stbi_failure_reason() ? stbi_failure_reason() : "cannot decode"));
  Decoded out;
  out.rgb.width = width;
  out.rgb.height = height;
  out.rgb.channels = 3;
  out.rgb.pixels.assign(pixels.get(), pixels.get() + size_t(width) * height * 3);
  return out;
}

}  // namespace modelexport::processors::image_detail
