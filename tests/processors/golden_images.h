// The golden image data (tests/processors/golden_images.sh, CTest fixture golden_images): the
// manifest that scripts/golden/image_preprocess.py wrote into $GOLDEN_IMAGES, read once; null when
// the fixture has not run. Shared by image_test.cc and image_processor_test.cc.
#pragma once

#include <cstdlib>
#include <filesystem>

#include "common/json_util.h"
#include "support/test_support.h"

namespace modelexport::processors::test_images {

inline const Json& manifest() {
  static const Json m = [] {
    namespace fs = std::filesystem;
    const char* dir = std::getenv("GOLDEN_IMAGES");
    if (!dir || !fs::exists(fs::path(dir) / "manifest.json")) return Json();
    return Json::parse(test::read_bytes(fs::path(dir) / "manifest.json"));
  }();
  return m;
}

}  // namespace modelexport::processors::test_images
