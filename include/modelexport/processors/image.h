// Images as a Python Hugging Face user gets them: decoded like Pillow 9.4 (`PIL.Image.open`), turned
// upright (`ImageOps.exif_transpose`), converted like `Image.convert("RGB")`, and resized like
// `Image.resize` — bit for bit (tests/processors/image_test.cc checks it against Pillow at test time).
//
//   modelexport::processors::Image im = modelexport::processors::load_image("cat.jpg");  // RGB
//   Image small = resize_image(im, 224, 224, Resample::kBicubic);
//   uint8_t red_of_first_pixel = small.pixels[0];
//
// Formats are recognised by their bytes, never by the file name: JPEG (libjpeg-turbo, Pillow's
// defaults: ISLOW DCT, fancy upsampling), PNG (libpng: gray, palette, alpha, 16-bit), WebP (libwebp),
// BMP and GIF (first frame; stb_image). Bad input throws ImageDecodeError naming the source: not an
// image, an unsupported format, a truncated or corrupt file (refused like Pillow does by default),
// 0 pixels, more pixels than ImageDecodeOptions::max_pixels (checked before any pixel is decoded).
//
// Thread-safety: free functions on values; safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelexport::processors {

// An 8-bit image: rows top to bottom, pixels interleaved (channels 1 = L, 3 = RGB, 4 = RGBA).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<uint8_t> pixels;  // width * height * channels bytes
  uint8_t at(int x, int y, int c) const { return pixels[(size_t(y) * width + x) * channels + c]; }
};

struct ImageDecodeOptions {
  // Pillow's DecompressionBombError limit: 2 * Image.MAX_IMAGE_PIXELS (89,478,485) pixels.
  uint64_t max_pixels = 178956970;
  // Apply the EXIF orientation tag (ImageOps.exif_transpose), as transformers' load_image does.
  bool exif_transpose = true;
  // Threads one image's decode may use: a baseline JPEG of at least 8 iMCU rows (64-128 pixel rows) per
  // thread is decoded in horizontal bands, one thread each (the pixels are the same; each band's
  // thread also entropy-decodes the rows above it, so the CPU time grows a little). 1: this thread.
  int threads = 1;
};

// Threads worth giving one image's decode (ImageDecodeOptions::threads): `wanted`, or 1 when the
// machine has no idle core (its 1-minute load average is at least the cores available - 1). With every
// core busy a band's thread waits for the scheduler and the caller waits for it: a lone 12 MP JPEG on
// a 2-core machine at load 8 took 99 ms in two bands against 61 ms on one thread (docs/benchmarks.md).
int decode_threads_for_load(int wanted);

// Decodes `bytes` to RGB (channels == 3). `source` names the input in error messages.
Image decode_image(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options = {});
// decode_image on a file's bytes; IoError when it cannot be read.
Image load_image(const std::filesystem::path& path, const ImageDecodeOptions& options = {});
// The format decode_image recognises in `bytes` ("JPEG", "PNG", "WEBP", "GIF", "BMP"), or "" when none.
std::string sniff_image_format(std::string_view bytes);

// Pillow's resampling filters, numbered as PIL.Image.Resampling (and preprocessor_config "resample").
enum class Resample : int { kNearest = 0, kLanczos = 1, kBilinear = 2, kBicubic = 3, kBox = 4, kHamming = 5 };
// Resample from its preprocessor_config number; UsageError for another number.
Resample resample_from_int(int value);

// Image.resize((width, height), resample) of Pillow 9.4 for an L, RGB or RGBA image (RGBA is
// resized premultiplied, as Pillow does). UsageError for a size < 1.
Image resize_image(const Image& image, int width, int height, Resample resample);

// The image as a PNG file's bytes (L, RGB or RGBA; libpng, zlib level 6 as Pillow's default save).
std::string encode_png(const Image& image);

// decode_image, then resize_image to `target(width, height)` (the upright image's size → the {width,
// height} to resize to; it may throw), with the same bytes as the two calls. A JPEG is resized while it
// is decoded — each row resampled horizontally as it arrives — so its full-size image is never held (a
// 12 MP photo: 36 MB less, and faster). Other formats, EXIF-rotated JPEGs and NEAREST decode first.
//   Image im = decode_image_resized(bytes, "cat.jpg", [](int w, int h) { return std::pair{w / 4, h / 4}; },
//                                   Resample::kBicubic);
Image decode_image_resized(std::string_view bytes, std::string_view source,
                           const std::function<std::pair<int, int>(int width, int height)>& target, Resample resample,
                           const ImageDecodeOptions& options = {});

}  // namespace modelexport::processors
