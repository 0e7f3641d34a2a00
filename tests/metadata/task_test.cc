// Task detection measured against a reference: the architecture -> task table generated from
// transformers.js 4.3.1 by scripts/golden/task_table.mjs, and the corpus's real configs.
#include "modelexport/metadata/task.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

struct GoldenRow {
  std::string architecture, model_type;
  std::vector<std::string> tasks;
};

std::vector<GoldenRow> golden_rows() {
  std::ifstream in(std::filesystem::path(MODELEXPORT_SOURCE_DIR) / "tests" / "golden" / "task_table.tsv");
  std::vector<GoldenRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    GoldenRow r;
    std::string tasks, t;
    std::getline(ss, r.architecture, '\t');
    std::getline(ss, r.model_type, '\t');
    std::getline(ss, tasks);
    std::istringstream ts(tasks);
    while (std::getline(ts, t, ',')) r.tasks.push_back(t);
    rows.push_back(std::move(r));
  }
  return rows;
}

TEST(TaskDetection, MatchesTransformersJsOnItsArchitectureTable) {
  auto rows = golden_rows();
  ASSERT_GE(rows.size(), 150u);
  size_t correct = 0;
  std::string misses;
  for (const auto& r : rows) {
    std::string config = "{\"architectures\": [\"" + r.architecture + "\"], \"model_type\": \"" + r.model_type + "\"}";
    std::string got;
    try {
      got = detect_task(config).task;
    } catch (const TaskDetectionError&) {
      got = "(none)";
    }
    if (std::find(r.tasks.begin(), r.tasks.end(), got) != r.tasks.end()) ++correct;
    else misses += "  " + r.architecture + ": got " + got + ", reference accepts " + ::testing::PrintToString(r.tasks) + "\n";
  }
  double accuracy = static_cast<double>(correct) / static_cast<double>(rows.size());
  std::cout << "[task accuracy] transformers.js table: " << correct << "/" << rows.size() << " = " << accuracy * 100 << "%\n"
            << misses;
  EXPECT_GE(accuracy, 0.97) << misses;
}

// Expected tasks for the corpus configs: the model card's pipeline_tag where the folder has one,
// otherwise the transformers.js table above. One known, explained disagreement.
TEST(TaskDetection, CorpusConfigs) {
  REQUIRE_CORPUS();
  auto rows = golden_rows();
  auto models = test::corpus_dir() / "models";
  size_t total = 0, correct = 0;
  for (const auto& e : std::filesystem::directory_iterator(models)) {
    auto config_path = e.path() / "config.json";
    if (!std::filesystem::exists(config_path)) continue;
    std::string config = test::read_bytes(config_path);
    TaskHints hints;
    std::string card_tag;
    if (std::filesystem::exists(e.path() / "README.md")) card_tag = model_card_pipeline_tag(test::read_bytes(e.path() / "README.md"));
    hints.model_card_pipeline_tag = card_tag;
    hints.sentence_transformers = std::filesystem::exists(e.path() / "modules.json");
    TaskDetection d = detect_task(config, hints);
    std::vector<std::string> expected;
    std::string reference;
    if (!card_tag.empty()) {
      expected = {canonical_task(card_tag)};
      reference = "model card pipeline_tag";
    } else {
      for (const auto& r : rows)
        if (r.architecture == d.architecture) expected = r.tasks;
      reference = "transformers.js table";
    }
    ++total;
    bool ok = std::find(expected.begin(), expected.end(), d.task) != expected.end();
    correct += ok;
    std::cout << "[task] " << e.path().filename().string() << ": " << d.task << " (" << d.method << ") vs " << reference << " "
              << ::testing::PrintToString(expected) << (ok ? "" : "  <-- differs") << "\n";
    if (e.path().filename() == "bge-reranker-large") {
      // The card says feature-extraction, but the graph is an XLMRobertaForSequenceClassification
      // cross-encoder with one logit: text-classification (sigmoid) is what runs it correctly.
      EXPECT_EQ(d.task, "text-classification");
      continue;
    }
    EXPECT_TRUE(ok) << e.path();
  }
  std::cout << "[task accuracy] corpus: " << correct << "/" << total << "\n";
  EXPECT_GE(total, 15u);
}

TEST(TaskDetection, Specifics) {
  EXPECT_EQ(detect_task(R"({"architectures":["DebertaV2ForSequenceClassification"],
      "id2label":{"0":"entailment","1":"neutral","2":"contradiction"}})").task, "zero-shot-classification");
  EXPECT_EQ(detect_task(R"({"architectures":["Wav2Vec2ForSequenceClassification"],"model_type":"wav2vec2"})").task,
            "audio-classification");
  // Without architectures, task_specific_params come before model_type (seed order).
  EXPECT_EQ(detect_task(R"({"model_type":"t5","task_specific_params":{"summarization":{}}})").task, "summarization");
  EXPECT_EQ(detect_task(R"({"model_type":"t5"})").task, "text2text-generation");
  // A VLM's ForCausalLM is its text decoder, unless the config carries the vision tower.
  EXPECT_EQ(detect_task(R"({"architectures":["Qwen2VLForCausalLM"],"model_type":"qwen2_vl"})").task, "text-generation");
  EXPECT_EQ(detect_task(R"({"architectures":["Phi3VForCausalLM"],"vision_config":{}})").task, "image-text-to-text");
  EXPECT_EQ(detect_task(R"({"task_specific_params":{"translation_en_to_de":{}}})").task, "translation");
  EXPECT_EQ(detect_task(R"({"id2label":{"0":"spam","1":"ham"}})").task, "text-classification");
  auto d = detect_task(R"({"architectures":["T5ForConditionalGeneration"],"model_type":"t5"})", {"summarization", false});
  EXPECT_EQ(d.task, "summarization");
  EXPECT_EQ(d.method, "model-card");
  // A card tag from another family does not override the architecture.
  EXPECT_EQ(detect_task(R"({"architectures":["BertForTokenClassification"]})", {"text-generation", false}).task,
            "token-classification");
  EXPECT_THROW(detect_task(R"({"in_ch": 3})"), TaskDetectionError);
  EXPECT_THROW(detect_task("[1, 2]"), MetadataReadError);
}

TEST(TaskDetection, ModelCardTag) {
  EXPECT_EQ(model_card_pipeline_tag("---\nlicense: mit\npipeline_tag: image-to-image\ntags:\n- x\n---\n# Card"), "image-to-image");
  EXPECT_EQ(model_card_pipeline_tag("# No front matter\npipeline_tag: text-generation\n"), "");
  EXPECT_EQ(model_card_pipeline_tag("---\nlicense: mit\n---\npipeline_tag: fill-mask\n"), "");
}

TEST(TaskDetection, CanonicalNames) {
  EXPECT_EQ(canonical_task("ner"), "token-classification");
  EXPECT_EQ(canonical_task("sentiment-analysis"), "text-classification");
  EXPECT_THROW(canonical_task("make-coffee"), UsageError);
}

}  // namespace
}  // namespace modelexport::metadata
