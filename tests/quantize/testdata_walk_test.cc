// quantize over Debian's libonnx-testdata (issue 10): every model × fp16, q4f16, q4, q8 either
// refuses with a reason and writes nothing, or writes a model ONNX Runtime loads and runs on the
// test's own inputs within the dtype's tolerance (tests/quantize/testdata_walk.cc says which).
//
// The whole set takes ~30 s on one core (docs/benchmarks.md), so CI walks all 1,072 models;
// MODELEXPORT_TESTDATA_WALK=sample walks every 8th model plus the models whose fp16 output ORT used
// to refuse. MODELEXPORT_WALK_REPORT=FILE writes one line per run: model, dtype, outcome, detail
// (scripts/testdata_walk.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "quantize/testdata_walk.h"
#include "support/test_support.h"

namespace modelexport::test {
namespace {

// The testdata models whose fp16 / q4f16 output ONNX Runtime refused to load before the conversion
// decided per op and opset from the ONNX schemas (measured with this walk at commit 66c8222).
const std::set<std::string>& formerly_refused() {
  static const std::set<std::string> names = {
#include "quantize/testdata_formerly_refused.inc"
  };
  return names;
}

std::string test_name(const fs::path& model) {
  return model.parent_path().parent_path().filename().string() + "/" + model.parent_path().filename().string();
}

TEST(TestdataWalk, EveryRunLoadsAndMatchesOrRefusesWithAReason) {
  std::vector<fs::path> all = onnx_testdata_models();
  if (all.empty()) GTEST_SKIP() << "libonnx-testdata is not installed (/usr/share/libonnx-testdata/data)";
  const char* mode = std::getenv("MODELEXPORT_TESTDATA_WALK");
  bool everything = !(mode && std::string(mode) == "sample");
  std::vector<fs::path> models;
  for (size_t i = 0; i < all.size(); ++i)
    if (everything || i % 8 == 0 || formerly_refused().count(test_name(all[i]))) models.push_back(all[i]);

  ScratchDir scratch;
  fs::path work = scratch / "out";
  fs::create_directories(work);
  auto start = std::chrono::steady_clock::now();
  std::vector<WalkResult> results = walk_testdata(models, {"fp16", "q4f16", "q4", "q8"}, work);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<std::string, std::map<std::string, int>> counts;  // dtype → outcome → runs
  for (const auto& r : results) counts[r.dtype][outcome_name(r.outcome)]++;
  std::printf("%zu models x 4 dtypes in %.1f s\n", models.size(), seconds);
  for (const auto& [dtype, by] : counts) {
    std::printf("%-6s", dtype.c_str());
    for (const auto& [o, n] : by) std::printf("  %s %d", o.c_str(), n);
    std::printf("\n");
  }
  if (const char* report = std::getenv("MODELEXPORT_WALK_REPORT")) {
    std::ofstream out(report);
    for (const auto& r : results) {
      std::string detail = r.detail;
      std::replace(detail.begin(), detail.end(), '\n', ' ');
      std::replace(detail.begin(), detail.end(), '\t', ' ');
      out << r.model << '\t' << r.dtype << '\t' << outcome_name(r.outcome) << '\t' << detail << '\n';
    }
  }
  for (const auto& r : results)
    EXPECT_FALSE(is_failure(r.outcome)) << r.model << " " << r.dtype << ": " << outcome_name(r.outcome) << ": "
                                        << r.detail;
  // The formerly refused fp16 outputs now load and match, but for the opset-1 models, where ORT can
  // run no float16 value at all (no Cast kernel before opset 6): those are refused, saying so.
  size_t formerly = 0;
  for (const auto& r : results) {
    if (r.dtype != "fp16" || !formerly_refused().count(r.model)) continue;
    ++formerly;
    if (r.outcome == WalkOutcome::kRefused)
      EXPECT_NE(r.detail.find("float16 needs opset 6 or later"), std::string::npos) << r.model << ": " << r.detail;
    else EXPECT_EQ(r.outcome, WalkOutcome::kPassed) << r.model << ": " << r.detail;
  }
  EXPECT_EQ(formerly, formerly_refused().size());
}

}  // namespace
}  // namespace modelexport::test
