// PNG through libpng, giving what Pillow 9.4's PngImagePlugin modes convert("RGB") to:
//   gray 1/2/4/8 bit → "1"/"L;2"/"L;4"/"L" (scaled to 0..255, replicated); gray 16 bit → "I" from
//   "I;16B", which Convert.c's i2rgb clips to 0..255 (values above 255 become 255); RGB/RGBA/LA at
//   16 bit → the high byte ("RGB;16B" ...); palette → its RGB entries; alpha and tRNS dropped
//   without compositing. Gamma and colour chunks are ignored, as Pillow ignores them.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "processors/image/decoders.h"

namespace modelexport::processors::image_detail {
namespace {

struct Reader {
  std::string_view bytes;
  size_t pos = 0;
  bool truncated = false;
  std::string message;
};

void read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (r->bytes.size() - r->pos < n) {
    r->truncated = true;
    png_error(png, "image file is truncated");
  }
  std::memcpy(out, r->bytes.data() + r->pos, n);
  r->pos += n;
}

void on_error(png_structp png, png_const_charp message) {
  auto* r = static_cast<Reader*>(png_get_error_ptr(png));
  r->message = message;
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

}  // namespace

Decoded decode_png(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options) {
  Reader reader{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
  if (!png) fail(source, "PNG", "out of memory");
  png_infop info = png_create_info_struct(png);
  struct Destroy {
    png_structp* p;
    png_infop* i;
    ~Destroy() { png_destroy_read_struct(p, i, nullptr); }
  } destroy{&png, &info};
  Decoded out;
  std::vector<uint8_t> buffer;
  std::vector<png_bytep> rows;
  bool image_done = false;
  if (setjmp(png_jmpbuf(png))) {
    if (image_done) return out;  // trailing chunks after the pixels are unreadable: the image is whole
    if (reader.truncated) fail(source, "PNG", "image file is truncated");
    fail(source, "PNG", "corrupt PNG data: " + reader.message);
  }
  png_set_read_fn(png, &reader, read_bytes);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // our own pixel limit is checked below
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  check_pixel_count(width, height, options, source, "PNG");
  const int color_type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  const bool gray16 = depth == 16 && color_type == PNG_COLOR_TYPE_GRAY;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16 && !gray16) png_set_strip_16(png);  // keeps the high byte (png_do_chop)
  if (gray16) png_set_swap(png);                      // little-endian 16-bit samples on x86
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  out.rgb.width = static_cast<int>(width);
  out.rgb.height = static_cast<int>(height);
  out.rgb.channels = 3;
  out.rgb.pixels.resize(size_t(width) * height * 3);
  const bool direct = channels == 3 && !gray16;
  if (!direct) buffer.resize(rowbytes * height);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y)
    rows[y] = direct ? out.rgb.pixels.data() + size_t(y) * width * 3 : buffer.data() + y * rowbytes;
  png_read_image(png, rows.data());
  if (!direct) {
    uint8_t* dst = out.rgb.pixels.data();
    for (png_uint_32 y = 0; y < height; ++y) {
      const uint8_t* src = rows[y];
      for (png_uint_32 x = 0; x < width; ++x, dst += 3) {
        if (gray16) {
          uint16_t v;
          std::memcpy(&v, src + 2 * x, 2);
          dst[0] = dst[1] = dst[2] = static_cast<uint8_t>(v > 255 ? 255 : v);
        } else if (channels <= 2) {
          dst[0] = dst[1] = dst[2] = src[x * channels];
        } else {
          std::memcpy(dst, src + x * channels, 3);
        }
      }
    }
    std::vector<uint8_t>().swap(buffer);
  }
  auto take_exif = [&] {
    png_uint_32 exif_length = 0;
    png_bytep exif = nullptr;
    if (png_get_eXIf_1(png, info, &exif_length, &exif) && exif)
      out.exif.assign(reinterpret_cast<const char*>(exif), exif_length);
  };
  take_exif();  // an eXIf chunk before the pixels
  image_done = true;
  png_read_end(png, info);
  take_exif();  // or after them (Pillow reads to IEND for getexif())
  return out;
}

}  // namespace modelexport::processors::image_detail
