// BilinearUpsample (src/runtime/pipelines/upsample.h) against torch 1.13's
// interpolate(mode="bilinear", align_corners=False) itself (scripts/golden/torch_upsample.py, run here
// on the same random planes): every output float equal, bit for bit, for each kernel torch dispatches
// to — the channels-last one (one channel, or a 1x1 plane), the generic one in the build this CPU
// runs and, with ATEN_CPU_CAPABILITY=default, torch's default (no FMA) build.
#include "runtime/pipelines/upsample.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using Kernel = BilinearUpsample::Kernel;

struct Case {
  int channels, in_h, in_w, height, width;
};
// Upscales as the pipelines do (SegFormer's /4 logits, RMBG's 1024 plane), odd sizes, one axis kept
// (torch copies it), downscales, a 1x1 plane.
const Case kCases[] = {
    {3, 128, 128, 1080, 810}, {1, 64, 48, 333, 517}, {5, 17, 23, 17, 40}, {1, 7, 9, 7, 9},
    {2, 40, 30, 13, 11},      {1, 40, 30, 13, 11},   {4, 1, 1, 5, 7},     {1, 1, 1, 5, 7},
};

std::string floats_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// torch's outputs per case, with `env` before the interpreter (e.g. "ATEN_CPU_CAPABILITY=default").
std::vector<std::vector<float>> torch_outputs(const std::vector<std::vector<float>>& inputs, const std::string& env,
                                              const test::ScratchDir& scratch) {
  nlohmann::json manifest = nlohmann::json::array();
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const Case& c = kCases[i];
    const fs::path in = scratch / ("in" + std::to_string(i)), out = scratch / ("out" + std::to_string(i));
    test::write_bytes(in, floats_bytes(inputs[i]));
    manifest.push_back({{"input", in.string()},
                        {"shape", {c.channels, c.in_h, c.in_w}},
                        {"size", {c.height, c.width}},
                        {"output", out.string()}});
  }
  test::write_bytes(scratch / "manifest.json", manifest.dump());
  const std::string script = (test::fixtures_dir() / ".." / ".." / "scripts" / "golden" / "torch_upsample.py").string();
  const std::string cmd = env + " /usr/bin/python3 '" + script + "' '" + (scratch / "manifest.json").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::vector<float>> outs;
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const std::string bytes = test::read_bytes(scratch / ("out" + std::to_string(i)));
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    outs.push_back(std::move(v));
  }
  return outs;
}

std::vector<std::vector<float>> random_planes() {
  std::mt19937 rng(12);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<std::vector<float>> planes;
  for (const Case& c : kCases) {
    std::vector<float> v(size_t(c.channels) * c.in_h * c.in_w);
    for (float& x : v) x = normal(rng);
    planes.push_back(std::move(v));
  }
  return planes;
}

// Our upsampling of case i with `kernel`; the number of output floats that differ from `want`.
size_t differing(size_t i, const std::vector<float>& in, Kernel kernel, const std::vector<float>& want) {
  const Case& c = kCases[i];
  const BilinearUpsample up(c.in_h, c.in_w, c.height, c.width, kernel);
  std::vector<float> row(c.width);
  size_t diff = 0;
  EXPECT_EQ(want.size(), size_t(c.channels) * c.height * c.width) << "case " << i;
  if (want.size() != size_t(c.channels) * c.height * c.width) return want.size();
  for (int ch = 0; ch < c.channels; ++ch)
    for (int y = 0; y < c.height; ++y) {
      up.row(in.data() + size_t(ch) * c.in_h * c.in_w, y, row.data());
      const float* w = want.data() + (size_t(ch) * c.height + y) * c.width;
      for (int x = 0; x < c.width; ++x) diff += std::memcmp(&row[x], &w[x], sizeof(float)) != 0;
    }
  return diff;
}

TEST(BilinearUpsample, EqualsTorchInterpolateBitForBit) {
  test::ScratchDir scratch;
  const auto inputs = random_planes();
  const auto want = torch_outputs(inputs, "", scratch);
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const Case& c = kCases[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": " + std::to_string(c.channels) + "x" + std::to_string(c.in_h) + "x" +
                 std::to_string(c.in_w) + " -> " + std::to_string(c.height) + "x" + std::to_string(c.width));
    const Kernel k = BilinearUpsample::kernel_for(c.channels, c.in_h, c.in_w);
    EXPECT_EQ(differing(i, inputs[i], k, want[i]), 0u);
    // Each kernel is needed: the other formulas differ on the larger cases.
    if (c.height * c.width > 100000)
      for (Kernel other : {Kernel::kGenericFma, Kernel::kGenericPlain, Kernel::kChannelsLast})
        if (other != k) EXPECT_GT(differing(i, inputs[i], other, want[i]), 0u);
  }
}

TEST(BilinearUpsample, EqualsTorchsDefaultBuildWithoutFma) {
  test::ScratchDir scratch;
  const auto inputs = random_planes();
  const auto want = torch_outputs(inputs, "ATEN_CPU_CAPABILITY=default", scratch);
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const Case& c = kCases[i];
    SCOPED_TRACE("case " + std::to_string(i));
    const Kernel k = BilinearUpsample::kernel_for(c.channels, c.in_h, c.in_w) == Kernel::kChannelsLast
                         ? Kernel::kChannelsLast
                         : Kernel::kGenericPlain;
    EXPECT_EQ(differing(i, inputs[i], k, want[i]), 0u);
  }
}

}  // namespace
}  // namespace modelexport::runtime
