// JPEG through libjpeg-turbo with the settings Pillow 9.4's JpegDecode.c leaves at libjpeg's
// defaults (JDCT_ISLOW, do_fancy_upsampling = TRUE). Grayscale is replicated (L → RGB), CMYK/YCCK
// is read as Pillow's "CMYK;I" raw mode (Adobe polarity: inverted) and converted with Convert.c's
// cmyk2rgb. Data ending before the image does (libjpeg's JWRN_JPEG_EOF) is refused, as Pillow
// refuses truncated images unless ImageFile.LOAD_TRUNCATED_IMAGES is set.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <csetjmp>
#include <memory>
#include <vector>

#include "processors/image/decoders.h"

// jpeglib.h may or may not pull in jerror.h; the message code we look for is JWRN_JPEG_EOF.
#include <jerror.h>

namespace modelexport::processors::image_detail {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  bool truncated = false;
  char message[JMSG_LENGTH_MAX] = {};
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
}

// Pillow's MULDIV255 (libImaging/ImagingUtils.h): a * b / 255 rounded, in integers.
inline int muldiv255(int a, int b) {
  int t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}
inline uint8_t clip8(int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

}  // namespace

Decoded decode_jpeg(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options,
                    const RowTarget* target) {
  jpeg_decompress_struct cinfo{};
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.base);
  err.base.error_exit = on_error;
  err.base.emit_message = on_message;
  Decoded out;
  std::vector<uint8_t> row;
  // Declared before setjmp: a longjmp back to it must not skip destructors.
  std::unique_ptr<RowResizer> resizer;
  std::vector<uint8_t> rgb_row;
  jpeg_create_decompress(&cinfo);
  // Destroys the decompressor however we leave (return, throw, or after a longjmp from on_error).
  struct Destroy {
    jpeg_decompress_struct* c;
    ~Destroy() { jpeg_destroy_decompress(c); }
  } destroy{&cinfo};
  if (setjmp(err.jump)) fail(source, "JPEG", std::string("corrupt JPEG data: ") + err.message);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  if (err.truncated) fail(source, "JPEG", "image file is truncated (the data ends inside the JPEG header)");
  check_pixel_count(cinfo.image_width, cinfo.image_height, options, source, "JPEG");
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
        std::string_view(reinterpret_cast<const char*>(m->data), 6) == std::string_view("Exif\0\0", 6)) {
      out.exif.assign(reinterpret_cast<const char*>(m->data), m->data_length);
      break;
    }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  const bool gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
  cinfo.out_color_space = cmyk ? JCS_CMYK : gray ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&cinfo);
  const int width = static_cast<int>(cinfo.output_width), height = static_cast<int>(cinfo.output_height);
  const int comps = cinfo.output_components;
  // Streaming: each RGB row goes to the resizer and is overwritten by the next one.
  if (target) resizer = (*target)(width, height, out.exif);
  if (resizer) {
    rgb_row.resize(size_t(width) * 3);
  } else {
    out.rgb.width = width;
    out.rgb.height = height;
    out.rgb.channels = 3;
    out.rgb.pixels.resize(size_t(width) * height * 3);
  }
  row.resize(size_t(width) * comps);
  while (cinfo.output_scanline < cinfo.output_height) {
    const size_t y = cinfo.output_scanline;
    uint8_t* dst = resizer ? rgb_row.data() : out.rgb.pixels.data() + y * width * 3;
    JSAMPROW rows[1] = {comps == 3 ? dst : row.data()};
    jpeg_read_scanlines(&cinfo, rows, 1);
    if (comps == 1) {
      for (int x = 0; x < width; ++x) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = row[x];
    } else if (comps == 4) {
      // "CMYK;I": Pillow stores 255 - raw; cmyk2rgb then gives nk - c * nk / 255 with nk = 255 - k.
      for (int x = 0; x < width; ++x) {
        const uint8_t* p = &row[4 * x];
        const int nk = p[3];  // 255 - (255 - raw k)
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = clip8(nk - muldiv255(255 - p[c], nk));
      }
    }
    if (resizer) resizer->push(static_cast<int>(y), dst);
  }
  jpeg_finish_decompress(&cinfo);
  if (err.truncated) fail(source, "JPEG", "image file is truncated (the data ends before the image does)");
  if (resizer) {
    out.rgb = resizer->finish();
    out.resized = true;
  }
  return out;
}

}  // namespace modelexport::processors::image_detail
