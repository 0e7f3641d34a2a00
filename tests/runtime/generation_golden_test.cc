// The generation core against Python transformers' rules written out in numpy
// (scripts/golden/generation_rules.py, run by the golden_generation CTest fixture): each logits
// processor and warper on the same float32 logits (within 1e-6, -inf exactly), greedy search and beam
// search on the same toy model (tokens exactly, beam scores within 1e-5).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/generation/generate.h"
#include "runtime/generation/logits_processor.h"
#include "runtime/toy_step_model.h"

namespace modelexport::runtime::generation {
namespace {

using nlohmann::json;

std::vector<json> golden(const std::string& kind) {
  const char* path = std::getenv("GOLDEN_GENERATION");
  if (!path) return {};
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<json> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) {
      json c = json::parse(line);
      if (c["kind"] == kind) out.push_back(std::move(c));
    }
  return out;
}

#define REQUIRE_GOLDEN(cases)                                                                         \
  if (!std::getenv("GOLDEN_GENERATION")) GTEST_SKIP() << "GOLDEN_GENERATION not set (run via ctest)"; \
  ASSERT_FALSE(cases.empty()) << "no golden cases"

std::vector<float> floats(const json& a) {
  std::vector<float> v;
  for (const json& x : a) v.push_back(x.is_null() ? -std::numeric_limits<float>::infinity() : x.get<float>());
  return v;
}

GenerationConfig config_of(const json& c) { return GenerationConfig::resolve(c["config"].dump(), "", "", {}); }

std::vector<std::vector<int64_t>> prompts_of(const json& c) {
  return c["prompts"].get<std::vector<std::vector<int64_t>>>();
}

TEST(GenerationGolden, LogitsProcessorsMatchPythonRules) {
  std::vector<json> cases = golden("processor");
  REQUIRE_GOLDEN(cases);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    GenerationConfig config = config_of(c);
    const json& r = c["row"];
    std::vector<int64_t> ids = r["ids"].get<std::vector<int64_t>>();
    std::vector<int64_t> encoder_ids = r["encoder_ids"].get<std::vector<int64_t>>();
    RowState row;
    row.ids = ids;
    row.cur_len = r["cur_len"].get<size_t>();
    row.prompt_len = r["prompt_len"].get<size_t>();
    row.left_padding = r["left_padding"].get<size_t>();
    row.encoder_ids = encoder_ids;
    size_t vocab = c["vocab"].get<size_t>();
    LogitsProcessorList list = make_logits_processors(config, vocab, row.prompt_len);
    std::vector<float> scores = floats(c["logits"]), expected = floats(c["expected"]);
    apply_all(list, row, scores);
    ASSERT_EQ(scores.size(), expected.size());
    for (size_t i = 0; i < scores.size(); ++i) {
      if (std::isinf(expected[i])) {
        EXPECT_TRUE(std::isinf(scores[i]) && scores[i] < 0)
            << "token " << i << ": got " << scores[i] << ", Python -inf";
      } else {
        EXPECT_NEAR(scores[i], expected[i], 1e-6 * std::max(1.0f, std::fabs(expected[i]))) << "token " << i;
      }
    }
  }
}

TEST(GenerationGolden, GreedySearchMatchesPythonRules) {
  std::vector<json> cases = golden("greedy");
  REQUIRE_GOLDEN(cases);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    test::ToyStepModel model(c["vocab"].get<size_t>(), c["salt"].get<uint32_t>());
    GenerationResult r = generate(model, prompts_of(c), config_of(c));
    const json& expected = c["expected"];
    ASSERT_EQ(r.sequences.size(), expected.size());
    for (size_t b = 0; b < expected.size(); ++b) {
      ASSERT_EQ(r.sequences[b].size(), 1u);
      EXPECT_EQ(r.sequences[b][0].tokens, expected[b].get<std::vector<int64_t>>()) << "batch item " << b;
    }
  }
}

TEST(GenerationGolden, BeamSearchMatchesPythonBeamSearchScorer) {
  std::vector<json> cases = golden("beam");
  REQUIRE_GOLDEN(cases);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    test::ToyStepModel model(c["vocab"].get<size_t>(), c["salt"].get<uint32_t>());
    GenerationResult r = generate(model, prompts_of(c), config_of(c));
    const json& expected = c["expected"];
    ASSERT_EQ(r.sequences.size(), expected.size());
    for (size_t b = 0; b < expected.size(); ++b) {
      ASSERT_EQ(r.sequences[b].size(), expected[b].size()) << "batch item " << b;
      for (size_t k = 0; k < expected[b].size(); ++k) {
        EXPECT_EQ(r.sequences[b][k].tokens, expected[b][k]["tokens"].get<std::vector<int64_t>>())
            << "batch item " << b << " sequence " << k;
        double want = expected[b][k]["score"].get<double>();
        EXPECT_NEAR(r.sequences[b][k].score, want, 1e-5 * std::max(1.0, std::fabs(want)))
            << "batch item " << b << " sequence " << k;
      }
    }
  }
}

}  // namespace
}  // namespace modelexport::runtime::generation
