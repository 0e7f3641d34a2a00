// Decoding and resizing against Pillow 9.4, byte for byte: scripts/golden/image_preprocess.py (the
// CTest fixture golden_images) writes what Pillow gives for the corpus photos and for odd files it
// makes (EXIF-rotated, CMYK, grayscale, palette with transparency, 16-bit, 1x1, 7x3, WebP, GIF, BMP),
// and for Image.resize with every filter on up- and down-scales; bad inputs are refused as Pillow
// refuses them, with a message naming the file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>
#include <tuple>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/sha256.h"
#include "modelexport/processors/image.h"
#include "processors/golden_images.h"
#include "processors/image/decoders.h"
#include "processors/image/row_resizer.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

namespace fs = std::filesystem;

using test_images::manifest;

#define REQUIRE_GOLDEN()                                                     \
  if (manifest().is_null())                                                  \
  GTEST_SKIP() << "no golden image data: run ctest (fixture golden_images) " \
                  "or set GOLDEN_IMAGES"

std::string sha(const Image& im) {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(im.pixels.data()), im.pixels.size()));
}

TEST(ImageDecode, EqualsPillowOnCorpusAndOddFiles) {
  REQUIRE_GOLDEN();
  size_t n = 0;
  for (const Json& c : manifest()["decode"]) {
    const std::string path = c["image"];
    SCOPED_TRACE(path);
    Image im = load_image(path);
    EXPECT_EQ(im.channels, 3);
    EXPECT_EQ(im.width, c["width"].get<int>());
    EXPECT_EQ(im.height, c["height"].get<int>());
    EXPECT_EQ(sha(im), c["sha256"].get<std::string>());
    ++n;
  }
  EXPECT_GE(n, 25u);
}

TEST(ImageResize, EqualsPillowForEveryFilter) {
  REQUIRE_GOLDEN();
  std::map<std::string, Image> sources;
  for (const Json& c : manifest()["resize"]) {
    const std::string src = c["source"];
    if (!sources.count(src)) {
      Image im;
      im.width = c["width"];
      im.height = c["height"];
      im.channels = c["channels"];
      const std::string bytes = test::read_bytes(src);
      im.pixels.assign(bytes.begin(), bytes.end());
      sources[src] = std::move(im);
    }
    const int w = c["to_width"], h = c["to_height"], r = c["resample"];
    SCOPED_TRACE(src + " → " + std::to_string(w) + "x" + std::to_string(h) + " resample " + std::to_string(r));
    Image out = resize_image(sources[src], w, h, resample_from_int(r));
    EXPECT_EQ(out.width, w);
    EXPECT_EQ(out.height, h);
    EXPECT_EQ(sha(out), c["sha256"].get<std::string>());
  }
}

// The path the table tests above ran: CTest runs them twice, image_test with the CPU's own path and
// image_test_scalar with MODELEXPORT_FORCE_SCALAR=1, so an AVX2 machine tests the scalar code too.
TEST(ImageResize, ScalarPathCanBeForced) {
  const char* force = std::getenv("MODELEXPORT_FORCE_SCALAR");
  if (force && std::string(force) == "1") EXPECT_FALSE(image_detail::resize_uses_avx2());
#if defined(__x86_64__)
  else if (!force) EXPECT_EQ(image_detail::resize_uses_avx2(), static_cast<bool>(__builtin_cpu_supports("avx2")));
#endif
  std::cout << "resize path: " << (image_detail::resize_uses_avx2() ? "AVX2" : "scalar") << "\n";
}

TEST(ImageDecode, RefusesBadInputLikePillow) {
  REQUIRE_GOLDEN();
  for (const Json& c : manifest()["bad"]) {
    const std::string path = c["image"], expect = c["expect"];
    SCOPED_TRACE(path + " (Pillow: " + c["pillow"].get<std::string>() + ")");
    try {
      load_image(path);
      ADD_FAILURE() << "accepted";
    } catch (const ImageDecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
    }
  }
}

// A baseline JPEG decoded in horizontal bands on several threads (ImageDecodeOptions::threads; each
// band's decompressor skips the rows above it) gives Pillow's bytes, decoded whole and resized as it
// decodes; a progressive one (tiger.jpg) takes the one-thread path with the same result.
TEST(ImageDecode, JpegBandsEqualPillow) {
  REQUIRE_GOLDEN();
  size_t banded = 0;
  for (const Json& c : manifest()["decode"]) {
    const std::string path = c["image"];
    const std::string bytes = test::read_bytes(path);
    if (sniff_image_format(bytes) != "JPEG") continue;
    SCOPED_TRACE(path);
    const int height = c["height"];
    if (image_detail::jpeg_band_starts(height, 16, 2, image_detail::kJpegEntropyShare).size() > 1) ++banded;
    for (int threads : {2, 3}) {
      ImageDecodeOptions options;
      options.threads = threads;
      EXPECT_EQ(sha(decode_image(bytes, path, options)), c["sha256"].get<std::string>()) << threads << " threads";
    }
    // Resized row by row from the bands (both threads push into one resizer) vs from the whole image.
    const Image whole = decode_image(bytes, path);
    for (auto [w, h, r] : {std::tuple{224, 224, Resample::kBilinear},
                           std::tuple{whole.width / 7 + 1, whole.height / 5 + 1, Resample::kBicubic}}) {
      ImageDecodeOptions options;
      options.threads = 2;
      const Image banded_resize = decode_image_resized(
          bytes, path,
          [&](int, int) {
            return std::pair{w, h};
          },
          r, options);
      EXPECT_EQ(sha(banded_resize), sha(resize_image(whole, w, h, r))) << w << "x" << h;
    }
  }
  EXPECT_GE(banded, 8u) << "corpus JPEGs tall enough for two bands";
}

// A truncated baseline JPEG is refused on the band path too, whether the data ends in the first band
// (this thread's decompressor) or in a later one (a band thread's).
TEST(ImageDecode, JpegBandsRefuseTruncatedData) {
  REQUIRE_GOLDEN();
  std::string photo;
  for (const Json& c : manifest()["decode"])
    if (fs::path(c["image"].get<std::string>()).filename() == "landscape.jpg") photo = c["image"];
  if (photo.empty()) GTEST_SKIP() << "corpus photo landscape.jpg not in the golden data";
  const std::string bytes = test::read_bytes(photo);
  for (double keep : {0.3, 0.9}) {
    SCOPED_TRACE(keep);
    ImageDecodeOptions options;
    options.threads = 2;
    try {
      decode_image(bytes.substr(0, size_t(bytes.size() * keep)), "cut.jpg", options);
      ADD_FAILURE() << "accepted";
    } catch (const ImageDecodeError& e) {
      EXPECT_NE(std::string(e.what()).find("cut.jpg: JPEG: image file is truncated"), std::string::npos) << e.what();
    }
  }
}

// One thread when asked for one or fewer; else what was asked, or 1 while the load average says no
// core is idle (the rule decode_threads_for_load states, checked against getloadavg here).
TEST(ImageDecode, DecodeThreadsFollowTheLoad) {
  EXPECT_EQ(decode_threads_for_load(0), 1);
  EXPECT_EQ(decode_threads_for_load(1), 1);
  double load = 0;
  ASSERT_EQ(getloadavg(&load, 1), 1);
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const int got = decode_threads_for_load(4);
  if (load + 0.5 < cores - 1) EXPECT_EQ(got, 4) << "load " << load;
  else if (load - 0.5 >= cores - 1) EXPECT_EQ(got, 1) << "load " << load;  // near the edge it may move
  else EXPECT_TRUE(got == 1 || got == 4);
}

// The band plan: equal cost per thread when band k also entropy-decodes the rows above it
// (b_k = T (1 - (1 - h)^k) / h, T = h / (1 - (1 - h)^threads)), starts aligned down to iMCU rows.
TEST(ImageDecode, JpegBandStarts) {
  struct Case {
    int height, imcu, threads;
    double share;
    std::vector<int> starts;
  };
  const std::vector<Case> cases = {
      {3000, 16, 1, 0.4, {0}},              // one thread
      {3000, 16, 2, 0.4, {0, 1872}},        // T = 0.625: row 1875 → 1872
      {3000, 16, 3, 0.4, {0, 1520, 2448}},  // T = 0.5102: rows 1530, 2448
      {1200, 8, 2, 0.0, {0, 600}},          // no entropy cost: halves (share floored at 0.01: 0.5025 → 603 → 600)
      {255, 16, 2, 0.4, {0}},               // shorter than 8 iMCU rows per thread
      {256, 16, 2, 0.4, {0, 160}},          // T = 0.625: row 160
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.height) + " rows, " + std::to_string(c.threads) + " threads");
    EXPECT_EQ(image_detail::jpeg_band_starts(c.height, c.imcu, c.threads, c.share), c.starts);
  }
}

TEST(ImageDecode, PixelLimitCanBeRaised) {
  REQUIRE_GOLDEN();
  const fs::path photo = fs::path(std::getenv("GOLDEN_IMAGES")) / "odd" / "7x3.png";
  ImageDecodeOptions tight;
  tight.max_pixels = 20;
  EXPECT_THROW(load_image(photo, tight), ImageDecodeError);
  tight.max_pixels = 21;
  EXPECT_EQ(load_image(photo, tight).width, 7);
}

TEST(ImageDecode, SniffsContentNotExtension) {
  EXPECT_EQ(sniff_image_format("\x89PNG\r\n\x1a\nrest"), "PNG");
  EXPECT_EQ(sniff_image_format("\xff\xd8\xff\xe0"), "JPEG");
  EXPECT_EQ(sniff_image_format(std::string_view("RIFF\0\0\0\0WEBPVP8 ", 16)), "WEBP");
  EXPECT_EQ(sniff_image_format("GIF89a"), "GIF");
  EXPECT_EQ(sniff_image_format("BM"), "BMP");
  EXPECT_EQ(sniff_image_format("hello"), "");
}

TEST(ImageResize, RefusesBadArguments) {
  Image im;
  im.width = im.height = 2;
  im.pixels.assign(12, 0);
  EXPECT_THROW(resize_image(im, 0, 3, Resample::kBilinear), UsageError);
  EXPECT_THROW(resample_from_int(6), UsageError);
  EXPECT_THROW(resample_from_int(-1), UsageError);
}

}  // namespace
}  // namespace modelexport::processors
