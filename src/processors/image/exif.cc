// The EXIF orientation and ImageOps.exif_transpose (Pillow 9.4, PIL/ImageOps.py): orientation
// 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE,
// 8 ROTATE_90 (Image.transpose's methods; ROTATE_90 turns counter-clockwise).
#include <cstring>

#include "processors/image/decoders.h"

namespace modelexport::processors::image_detail {

int exif_orientation(std::string_view exif) {
  if (exif.substr(0, 6) == std::string_view("Exif\0\0", 6)) exif.remove_prefix(6);
  if (exif.size() < 8) return 1;
  const bool little = exif.substr(0, 2) == "II";
  if (!little && exif.substr(0, 2) != "MM") return 1;
  auto u16 = [&](size_t at) -> uint32_t {
    const auto* p = reinterpret_cast<const uint8_t*>(exif.data()) + at;
    return little ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1];
  };
  auto u32 = [&](size_t at) -> uint32_t {
    return little ? u16(at) | (u16(at + 2) << 16) : (u16(at) << 16) | u16(at + 2);
  };
  const uint32_t ifd = u32(4);
  if (ifd > exif.size() - 2) return 1;
  const uint32_t count = u16(ifd);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = size_t(ifd) + 2 + size_t(i) * 12;
    if (entry + 12 > exif.size()) return 1;
    if (u16(entry) != 0x0112) continue;
    const uint32_t type = u16(entry + 2);
    if (type == 3) return static_cast<int>(u16(entry + 8));  // SHORT, inline
    if (type == 4) return static_cast<int>(u32(entry + 8));  // LONG, inline
    return 1;
  }
  return 1;
}

Image apply_orientation(Image in, int orientation) {
  if (orientation < 2 || orientation > 8) return in;
  const int w = in.width, h = in.height, c = in.channels;
  const bool swap = orientation >= 5;
  Image out;
  out.width = swap ? h : w;
  out.height = swap ? w : h;
  out.channels = c;
  out.pixels.resize(in.pixels.size());
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; break;  // FLIP_LEFT_RIGHT
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;                        // ROTATE_180
        case 4: sy = h - 1 - y; break;  // FLIP_TOP_BOTTOM
        case 5:
          sx = y;
          sy = x;
          break;  // TRANSPOSE
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;  // ROTATE_270 (clockwise)
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;  // TRANSVERSE
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;  // ROTATE_90 (counter-clockwise)
      }
      std::memcpy(&out.pixels[(size_t(y) * out.width + x) * c], &in.pixels[(size_t(sy) * w + sx) * c], c);
    }
  return out;
}

}  // namespace modelexport::processors::image_detail
