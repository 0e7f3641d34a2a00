// Pipelines against transformers.js (npm @huggingface/transformers, pinned) on the same folder:
// our self-contained model, unpacked to the transformers.js layout, through both.
#include <gtest/gtest.h>

#include <fstream>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/processors/tokenizer.h"
#include "modelexport/runtime/text_classification.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

bool have_transformers_js() { return fs::exists(fs::path(MODELEXPORT_SOURCE_DIR) / "node_modules" / "@huggingface" / "transformers"); }

std::vector<std::string> parity_texts() {
  std::vector<std::string> texts = {"I love this movie!", "What a terrible day.", "", "a", "The weather is bad today, we are happy to help you."};
  auto corpus = test::corpus_dir();
  if (!corpus.empty()) {
    std::ifstream in(corpus / "text" / "edge_cases.jsonl");
    for (std::string line; std::getline(in, line);) texts.push_back(parse_json_object(line, "edge case")["text"]);
  }
  return texts;
}

// Embeds `source` into `model`, unpacks it, runs transformers.js and our pipeline, compares.
void expect_parity(const fs::path& model, const fs::path& source) {
  test::ScratchDir dir;
  metadata::EmbedOptions o;
  o.output = dir / "m.onnx";
  o.show_progress = false;
  metadata::embed_metadata(model, source.string(), o);
  metadata::unpack_model(dir / "m.onnx", dir / "tjs", metadata::Layout::kTransformersJs);
  auto texts = parity_texts();
  {
    std::ofstream f(dir / "texts.jsonl");
    for (const auto& t : texts) f << Json({{"text", t}}).dump() << "\n";
  }
  std::string cmd = "node " + (fs::path(MODELEXPORT_SOURCE_DIR) / "scripts/golden/text_classification.mjs").string() + " " +
                    (dir / "tjs").string() + " 2 " + (dir / "texts.jsonl").string() + " > " + (dir / "ref.jsonl").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto classify = TextClassificationPipeline::from_model(dir / "m.onnx");
  auto ours = classify(texts, 2);
  // Texts longer than model_max_length: transformers.js truncates after adding special tokens and
  // drops the final [SEP]; Hugging Face tokenizers (and Python transformers, which we follow) keep
  // it. Those inputs differ by one token, so only their labels are compared.
  auto tok = processors::Tokenizer::from_json(test::read_bytes(source / "tokenizer.json"));
  tok.set_truncation(std::nullopt);
  tok.set_padding(std::nullopt);
  size_t max_len = parse_json_object(test::read_bytes(source / "tokenizer_config.json"), "tokenizer_config")["model_max_length"];
  std::ifstream ref(dir / "ref.jsonl");
  size_t i = 0;
  double max_diff = 0, truncated_diff = 0;
  std::string worst;
  size_t truncated = 0;
  for (std::string line; std::getline(ref, line); ++i) {
    ASSERT_LT(i, ours.size());
    Json r = parse_json(line, "transformers.js output");
    ASSERT_EQ(r.size(), ours[i].size()) << texts[i];
    bool over_long = tok.encode(texts[i]).ids.size() > max_len;
    truncated += over_long;
    for (size_t k = 0; k < r.size(); ++k) {
      EXPECT_EQ(r[k]["label"].get<std::string>(), ours[i][k].label) << Json(texts[i]).dump();
      double d = std::abs(r[k]["score"].get<double>() - ours[i][k].score);
      if (over_long) {
        truncated_diff = std::max(truncated_diff, d);
        continue;
      }
      if (d > max_diff) max_diff = d, worst = texts[i];
      EXPECT_LT(d, 1e-4) << Json(texts[i]).dump();
    }
  }
  EXPECT_EQ(i, texts.size());
  std::cout << "[pipeline parity] " << model.filename().string() << ": " << i << " texts, labels equal, max |score diff| " << max_diff
            << " (on " << Json(worst).dump().substr(0, 60) << "); " << truncated << " over-long texts (labels only), max |score diff| "
            << truncated_diff << "\n";
}

TEST(TextClassification, MatchesTransformersJsOnTheFixture) {
  if (!have_transformers_js()) GTEST_SKIP() << "node_modules/@huggingface/transformers missing (run scripts/setup.sh)";
  auto f = test::fixtures_dir() / "tiny-text-classifier";
  expect_parity(f / "model.onnx", f);
}

TEST(TextClassification, MatchesTransformersJsOnTheCorpusOptimumExport) {
  REQUIRE_CORPUS();
  if (!have_transformers_js()) GTEST_SKIP() << "node_modules/@huggingface/transformers missing (run scripts/setup.sh)";
  test::ScratchDir src;
  auto c = test::corpus_dir();
  fs::copy_file(c / "models/tiny-distilbert-classification/config.json", src / "config.json");
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) fs::copy_file(c / "tokenizers/distilbert-base-uncased" / f, src / f);
  expect_parity(c / "models/tiny-distilbert-classification/model.onnx", src.path());
}

TEST(TextClassification, RefusesModelsWithoutATokenizer) {
  EXPECT_THROW(TextClassificationPipeline::from_model(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx"), MetadataReadError);
}

}  // namespace
}  // namespace modelexport::runtime
