// pixel_values (and DETR's pixel_mask) of every image processor against the Pillow 9.4 + numpy
// reference that follows transformers' PIL backend step by step (scripts/golden/image_preprocess.py,
// CTest fixture golden_images): max |diff| ≤ 1e-6 on the corpus photos and the odd files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/sha256.h"
#include "modelexport/processors/image_processor.h"
#include "processors/golden_images.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

namespace fs = std::filesystem;

using test_images::manifest;

TEST(ImageProcessor, PixelValuesEqualThePilBackendReference) {
  if (manifest().is_null()) GTEST_SKIP() << "no golden image data: run ctest (fixture golden_images)";
  std::set<std::string> types;
  for (const Json& c : manifest()["process"]) {
    const std::string config = c["config"];
    std::vector<Image> images;
    std::string names;
    for (const Json& p : c["images"]) {
      images.push_back(load_image(p.get<std::string>()));
      names += " " + fs::path(p.get<std::string>()).filename().string();
    }
    SCOPED_TRACE(config + ":" + names);
    ImageProcessor processor = ImageProcessor::from_json(test::read_bytes(config), config);
    types.insert(processor.type());
    PixelTensors t = processor.preprocess(images);
    EXPECT_EQ(t.shape, c["shape"].get<std::vector<int64_t>>());
    const std::string ref = test::read_bytes(c["pixel_values"].get<std::string>());
    ASSERT_EQ(ref.size(), t.pixel_values.size() * 4);
    double max_diff = 0;
    for (size_t i = 0; i < t.pixel_values.size(); ++i) {
      float r;
      std::memcpy(&r, ref.data() + 4 * i, 4);
      max_diff = std::max(max_diff, std::fabs(double(r) - double(t.pixel_values[i])));
    }
    EXPECT_LE(max_diff, 1e-6);
    if (c.contains("pixel_mask_shape")) {
      EXPECT_EQ(t.pixel_mask_shape, c["pixel_mask_shape"].get<std::vector<int64_t>>());
      EXPECT_EQ(
          sha256_hex(std::string_view(reinterpret_cast<const char*>(t.pixel_mask.data()), t.pixel_mask.size() * 8)),
          c["pixel_mask_sha256"].get<std::string>());
    } else {
      EXPECT_TRUE(t.pixel_mask.empty());
    }
  }
  EXPECT_EQ(types.size(), ImageProcessor::supported_types().size()) << "every processor type is checked";
}

// Bad configs: each a ProcessorReconstructionError (or the JSON reader's MetadataReadError) naming the key.
TEST(ImageProcessor, RefusesBadConfigs) {
  struct Case {
    const char* json;
    const char* expect;
  } cases[] = {
      {R"({"image_processor_type": "LlavaImageProcessor"})",
       "'LlavaImageProcessor' is not supported; supported: BeitImageProcessor"},
      {R"({"do_resize": true})", "neither image_processor_type nor feature_extractor_type"},
      {R"({"feature_extractor_type": "ImageFeatureExtractor"})", "size: missing"},
      {R"({"image_processor_type": "ViTImageProcessor", "size": {"foo": 3}})", "size: expected height and width"},
      {R"({"image_processor_type": "ViTImageProcessor", "size": -4})", "size: expected a positive integer"},
      {R"({"image_processor_type": "ViTImageProcessor", "image_mean": [0.5, 0.5]})", "image_mean: expected 3 numbers"},
      {R"({"image_processor_type": "ViTImageProcessor", "resample": 9})", "resample: 9 is not a Pillow filter"},
      {R"({"image_processor_type": "ConvNextImageProcessor", "size": {"height": 3, "width": 3}})",
       "needs shortest_edge"},
      {R"({"image_processor_type": "CLIPImageProcessor", "crop_size": {"shortest_edge": 3}})", "crop_size"},
      {R"({"image_processor_type": "ViTImageProcessor", "do_resize": "yes"})", "do_resize"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    try {
      ImageProcessor::from_json(c.json, "preprocessor_config.json");
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("preprocessor_config.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
    }
  }
}

TEST(ImageProcessor, RefusesImagesItCannotBatch) {
  ImageProcessor p =
      ImageProcessor::from_json(R"({"image_processor_type": "CLIPImageProcessor", "do_center_crop": false})", "c.json");
  Image a, b;
  a.width = 4, a.height = 2, a.pixels.assign(24, 1);
  b.width = 2, b.height = 4, b.pixels.assign(24, 1);
  EXPECT_THROW(p.preprocess({a, b}), UsageError);
  Image gray;
  gray.width = gray.height = 2, gray.channels = 1, gray.pixels.assign(4, 0);
  EXPECT_THROW(p.preprocess({gray}), UsageError);
}

}  // namespace
}  // namespace modelexport::processors

namespace modelexport::processors {
namespace {

// `modelexport preprocess` on the corpus CLIP folder gives the reference pixel_values; bad input is
// exit code 2 with the file named and nothing written.
TEST(PreprocessCommand, PrintsTheReferencePixelValues) {
  if (manifest().is_null()) GTEST_SKIP() << "no golden image data: run ctest (fixture golden_images)";
  size_t checked = 0;
  for (const Json& c : manifest()["process"]) {
    const fs::path config = c["config"].get<std::string>();
    if (config.parent_path().filename() != "clip-vit-large-patch14" || c["images"].size() != 1) continue;
    const std::string image = c["images"][0];
    SCOPED_TRACE(image);
    test::ScratchDir dir;
    test::CommandResult r =
        test::run_cli({"preprocess", config.parent_path().string(), image, "--json", "--npy", (dir / "npy").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json out = Json::parse(r.out);
    EXPECT_EQ(out["pixel_values"]["dtype"], "float32");
    EXPECT_EQ(out["pixel_values"]["shape"].get<std::vector<int64_t>>(), c["shape"].get<std::vector<int64_t>>());
    const std::string ref = test::read_bytes(c["pixel_values"].get<std::string>());
    const auto data = out["pixel_values"]["data"].get<std::vector<float>>();
    ASSERT_EQ(ref.size(), data.size() * 4);
    double max_diff = 0;
    for (size_t i = 0; i < data.size(); ++i) {
      float v;
      std::memcpy(&v, ref.data() + 4 * i, 4);
      max_diff = std::max(max_diff, std::fabs(double(v) - double(data[i])));
    }
    EXPECT_LE(max_diff, 1e-6);
    const std::string npy = test::read_bytes(dir / "npy" / "0_pixel_values.npy");
    EXPECT_EQ(npy.substr(0, 6), "\x93NUMPY");
    EXPECT_EQ(npy.size() % 4, 0u);
    ASSERT_GT(npy.size(), ref.size());
    EXPECT_EQ((npy.size() - ref.size()) % 64, 0u);  // header padded to 64 bytes
    EXPECT_NE(npy.find("'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }"), std::string::npos);
    EXPECT_EQ(npy.substr(npy.size() - ref.size()),
              std::string(reinterpret_cast<const char*>(data.data()), data.size() * 4));
    if (++checked == 3) break;
  }
  EXPECT_EQ(checked, 3u);
}

TEST(PreprocessCommand, RefusesBadImagesWritingNothing) {
  if (manifest().is_null()) GTEST_SKIP() << "no golden image data: run ctest (fixture golden_images)";
  const fs::path clip = test::corpus_dir() / "models" / "clip-vit-large-patch14";
  if (!fs::exists(clip)) GTEST_SKIP() << "corpus not found";
  for (const Json& c : manifest()["bad"]) {
    const std::string image = c["image"];
    SCOPED_TRACE(image);
    test::ScratchDir dir;
    test::CommandResult r = test::run_cli({"preprocess", clip.string(), image, "--npy", (dir / "npy").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(image), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "npy"));
  }
}

}  // namespace
}  // namespace modelexport::processors
