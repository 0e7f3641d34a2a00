// The per-format decoders behind decode_image (decode.cc), each giving RGB pixels as Pillow 9.4's
// Image.convert("RGB") gives them for that file, plus the file's raw EXIF block (for the orientation).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/processors/image.h"
#include "processors/image/row_resizer.h"

namespace modelexport::processors::image_detail {

struct Decoded {
  Image rgb;
  std::string exif;      // TIFF-structured EXIF data (with or without the "Exif\0\0" prefix); "" when none
  bool resized = false;  // rgb is what a RowTarget's resizer made of the rows (orientation already upright)
};

// decode_image_resized's hook: called once the header is read with the image's width, height and EXIF
// block; returns the resizer the RGB rows go to, or null to decode the whole image.
using RowTarget = std::function<std::unique_ptr<RowResizer>(int width, int height, const std::string& exif)>;

// Throws ImageDecodeError for 0 pixels or more than options.max_pixels (Pillow's bomb check),
// before anything is allocated.
void check_pixel_count(uint64_t width, uint64_t height, const ImageDecodeOptions& options, std::string_view source,
                       std::string_view format);
[[noreturn]] void fail(std::string_view source, std::string_view format, const std::string& what);

// With options.threads > 1 a baseline (single-scan) JPEG tall enough is decoded in horizontal bands,
// one decompressor and thread each (jpeg_band_starts), the rows below the first band claimed in chunks
// by whichever thread gets there first; the pixels are the same as one thread's.
Decoded decode_jpeg(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options,
                    const RowTarget* target = nullptr);
// The first row of each band when `threads` decompressors share an image of `height` rows whose iMCU
// rows are `imcu_rows` tall: band k's thread entropy-decodes the rows above it to skip them (a
// fraction `entropy_share` of decoding them) and then decodes its own, so the bands are sized for equal
// cost; starts are iMCU-aligned, each band at least 3 iMCU rows. {0} (one band) for threads < 2 or an
// image shorter than 8 iMCU rows per thread.
std::vector<int> jpeg_band_starts(int height, int imcu_rows, int threads, double entropy_share);
// The entropy decoding's share of a baseline 4:2:0 decode with libjpeg-turbo 2.1.5 (ISLOW, fancy
// upsampling), used to size the bands. A rough figure: skipping all rows of bench/images.sh's 12 MP
// JPEG (jpeg_skip_scanlines) took 13-24 ms against 27-45 ms for decoding them on the loaded 2-core
// machine (2026-12-02), 0.4-0.5, and less on files with fewer bits per pixel; the chunk claiming
// evens out a misjudged split.
inline constexpr double kJpegEntropyShare = 0.3;
Decoded decode_png(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options);
Decoded decode_webp(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options);
// GIF (first frame) and BMP through stb_image.
Decoded decode_stb(std::string_view bytes, std::string_view source, std::string_view format,
                   const ImageDecodeOptions& options);

// The EXIF Orientation tag (0x0112) of IFD0, 1 when absent or unreadable (as Pillow's getexif()).
int exif_orientation(std::string_view exif);
// ImageOps.exif_transpose for orientations 2..8; any other value returns the image unchanged.
Image apply_orientation(Image image, int orientation);

}  // namespace modelexport::processors::image_detail
