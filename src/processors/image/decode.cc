// decode_image: the format from the bytes, the bomb check, the decoder, then the EXIF orientation —
// what transformers' image_utils.load_image does with Pillow 9.4 (Image.open, ImageOps.exif_transpose,
// convert("RGB")).
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "processors/image/decoders.h"

namespace modelexport::processors {
namespace image_detail {

void fail(std::string_view source, std::string_view format, const std::string& what) {
  throw ImageDecodeError(std::string(source) + ": " + (format.empty() ? "" : std::string(format) + ": ") + what);
}

void check_pixel_count(uint64_t width, uint64_t height, const ImageDecodeOptions& options, std::string_view source,
                       std::string_view format) {
  if (width == 0 || height == 0)
    fail(source, format, "the image has 0 pixels (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  const uint64_t pixels = width * height;
  if (pixels > options.max_pixels)
    fail(source, format,
         "image size (" + std::to_string(pixels) + " pixels, " + std::to_string(width) + "x" + std::to_string(height) +
             ") exceeds the limit of " + std::to_string(options.max_pixels) +
             " pixels, could be a decompression bomb (Pillow's limit; raise it with --max-image-pixels)");
}

}  // namespace image_detail

namespace {

bool starts_with(std::string_view bytes, std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; }

// Formats we recognise but do not decode, for a clearer message than "not an image".
std::string unsupported_format(std::string_view b) {
  if (starts_with(b, std::string_view("II*\0", 4)) || starts_with(b, std::string_view("MM\0*", 4))) return "TIFF";
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return "HEIF/AVIF";
  if (starts_with(b, std::string_view("\0\0\1\0", 4))) return "ICO";
  if (starts_with(b, "8BPS")) return "PSD";
  if (starts_with(b, "\xff\x4f\xff\x51") || starts_with(b, std::string_view("\0\0\0\x0cjP  ", 8))) return "JPEG 2000";
  if (starts_with(b, "qoif")) return "QOI";
  if (starts_with(b, "P1") || starts_with(b, "P2") || starts_with(b, "P3") || starts_with(b, "P4") ||
      starts_with(b, "P5") || starts_with(b, "P6"))
    return "PNM";
  return "";
}

}  // namespace

std::string sniff_image_format(std::string_view b) {
  if (starts_with(b, "\xff\xd8\xff")) return "JPEG";
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) return "PNG";
  if (b.size() >= 12 && starts_with(b, "RIFF") && b.substr(8, 4) == "WEBP") return "WEBP";
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return "GIF";
  if (starts_with(b, "BM")) return "BMP";
  return "";
}

namespace {

// decode_image's steps; with a target, a JPEG's rows may go to its resizer (d.resized then says so).
image_detail::Decoded decode(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options,
                             const image_detail::RowTarget* target) {
  using namespace image_detail;
  const std::string format = sniff_image_format(bytes);
  Decoded d;
  if (format == "JPEG") d = decode_jpeg(bytes, source, options, target);
  else if (format == "PNG") d = decode_png(bytes, source, options);
  else if (format == "WEBP") d = decode_webp(bytes, source, options);
  else if (format == "GIF" || format == "BMP") d = decode_stb(bytes, source, format, options);
  else if (std::string other = unsupported_format(bytes); !other.empty())
    fail(source, "", "unsupported image format " + other + " (supported: JPEG, PNG, WebP, GIF, BMP)");
  else
    fail(source, "",
         bytes.empty() ? "not an image (the file is empty)"
                       : "not an image (no JPEG, PNG, WebP, GIF or BMP signature at its start)");
  if (d.resized || !options.exif_transpose || d.exif.empty()) return d;
  d.rgb = apply_orientation(std::move(d.rgb), exif_orientation(d.exif));
  return d;
}

}  // namespace

Image decode_image(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options) {
  return std::move(decode(bytes, source, options, nullptr).rgb);
}

Image decode_image_resized(std::string_view bytes, std::string_view source,
                           const std::function<std::pair<int, int>(int width, int height)>& target, Resample resample,
                           const ImageDecodeOptions& options) {
  using namespace image_detail;
  // Only an upright JPEG streams: a rotation needs the whole image first.
  const RowTarget rows = [&](int width, int height, const std::string& exif) -> std::unique_ptr<RowResizer> {
    if (resample == Resample::kNearest || (options.exif_transpose && !exif.empty() && exif_orientation(exif) != 1))
      return nullptr;
    const auto [w, h] = target(width, height);
    if (w == width && h == height) return nullptr;
    return std::make_unique<RowResizer>(width, height, w, h, resample);
  };
  Decoded d = decode(bytes, source, options, &rows);
  if (d.resized) return std::move(d.rgb);
  const auto [w, h] = target(d.rgb.width, d.rgb.height);
  return resize_image(d.rgb, w, h, resample);
}

int decode_threads_for_load(int wanted) {
  if (wanted <= 1) return 1;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  double load = 0;
  if (cores > 0 && getloadavg(&load, 1) == 1 && load >= cores - 1) return 1;
  return wanted;
}

Image load_image(const std::filesystem::path& path, const ImageDecodeOptions& options) {
  const std::string bytes = read_file(path);
  return decode_image(bytes, path.string(), options);
}

}  // namespace modelexport::processors
