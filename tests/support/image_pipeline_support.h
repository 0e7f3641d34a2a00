// Helpers shared by the image pipeline test suites (image_pipeline_test, dense_pipeline_test): the
// generated models' folder from the fixture's environment variable, the corpus photos they run on.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "modelexport/runtime/pipeline.h"
#include "support/test_support.h"

namespace modelexport::test {

// The folder a CTest fixture named in `variable` (IMAGE_MODELS, DENSE_MODELS); empty when unset.
inline fs::path models_dir(const char* variable) {
  const char* dir = std::getenv(variable);
  return dir ? fs::path(dir) : fs::path();
}

// Skips the test without the corpus, or when `probe` is not in the models folder `dir`.
#define REQUIRE_GENERATED_MODELS(dir, probe, variable)                                                       \
  do {                                                                                                       \
    REQUIRE_CORPUS();                                                                                        \
    if ((dir).empty() || !::std::filesystem::exists((dir) / (probe))) GTEST_SKIP() << variable " not built"; \
  } while (0)

inline fs::path corpus_image(const std::string& name) { return corpus_dir() / "media" / "images" / name; }

// The five corpus photos both suites run on, and one pipeline input per photo.
inline const char* const kPhotos[] = {"cat_224x224.jpg", "tiger.jpg", "teapot.jpg", "pineapple.jpg", "bus.jpg"};

inline std::vector<runtime::PipelineInput> photo_inputs() {
  std::vector<runtime::PipelineInput> in;
  for (const char* p : kPhotos) in.push_back({.image = corpus_image(p).string()});
  return in;
}

}  // namespace modelexport::test
