// The generation core without ONNX Runtime: a toy StepModel drives the loop.
#include <gtest/gtest.h>

#include "runtime/generation/beam_search.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/logits_processors.h"
#include "runtime/generation/sampler.h"

namespace modelexport::runtime::generation {
namespace {

TEST(GenerationConfig, PythonDefaults) {
  GenerationConfig c = GenerationConfig::resolve("", "", "", {});
  EXPECT_EQ(c.max_length, 20);
  EXPECT_EQ(c.mode(), DecodingMode::kGreedy);
}

}  // namespace
}  // namespace modelexport::runtime::generation
