// The model card (README.md) of the transformers.js layout: front matter, usage snippets per dtype,
// and only the numbers it is given.
#include "modelexport/metadata/model_card.h"

#include <gtest/gtest.h>

namespace modelexport::metadata {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ModelCard, FrontMatterUsageAndOnlyGivenNumbers) {
  struct Case {
    std::string name;
    ModelCard card;
    std::vector<std::string> present, absent;
  };
  ModelCard hub{"org/bert-tiny",
                "token-classification",
                "org/bert-tiny",
                "apache-2.0",
                {{"q4", "onnx/model_q4.onnx", {{"block size", "32"}}, {{"size", "4.2 MB → 1.1 MB"}}}}};
  ModelCard folder{"tiny", "text-classification", "", "", {{"fp32", "onnx/model.onnx", {}, {}}}};
  ModelCard half{"tiny", "feature-extraction", "", "", {{"q4f16", "onnx/model_q4f16.onnx", {}, {}}}};
  ModelCard image{"vit", "image-classification", "", "", {{"q8", "onnx/model_quantized.onnx", {}, {}}}};
  ModelCard clip{"clip", "zero-shot-image-classification", "", "", {{"fp32", "onnx/model.onnx", {}, {}}}};
  ModelCard audio{"w2v", "automatic-speech-recognition", "", "", {{"q4", "onnx/model_q4.onnx", {}, {}}}};
  ModelCard sound{"ast", "audio-classification", "", "", {{"fp32", "onnx/model.onnx", {}, {}}}};
  const std::string docs = "https://huggingface.co/datasets/Xenova/transformers.js-docs/resolve/main/";
  const std::vector<Case> cases = {
      {"a Hub model, quantized",
       hub,
       {"---\nlibrary_name: transformers.js\npipeline_tag: token-classification\nbase_model: org/bert-tiny\nlicense: "
        "apache-2.0\n"
        "tags:\n- onnx\n- transformers.js\n- quantized\n- modelexport\n---\n",
        "pipeline(\"token-classification\", \"org/bert-tiny\", { dtype: \"q4\", device: \"webgpu\" })",
        "ORTModelForTokenClassification.from_pretrained(\"org/bert-tiny\", subfolder=\"onnx\", "
        "file_name=\"model_q4.onnx\")",
        "modelexport run onnx/model_q4.onnx", "| block size | 32 |", "| size | 4.2 MB → 1.1 MB |",
        "](https://huggingface.co/org/bert-tiny)"},
       {}},
      {"a local folder in fp32: no base model, license, quantized tag or numbers",
       folder,
       {"pipeline_tag: text-classification\n", "{ dtype: \"fp32\", device: \"webgpu\" }",
        "ORTModelForSequenceClassification", "modelexport run onnx/model.onnx \"I love this movie\""},
       {"base_model:", "license:", "- quantized", "Measured", "Quantization settings"}},
      // float16 files need shader-f16 on WebGPU: the snippet shows WASM and says why.
      {"float16 shown on WASM",
       half,
       {"{ dtype: \"q4f16\", device: \"wasm\" }", "shader-f16", "- quantized"},
       {"Measured"}},
      // Image and audio models get an image / a recording and their preprocessor, not a sentence and a tokenizer.
      {"image: an image URL and AutoImageProcessor",
       image,
       {"await pipe(\"" + docs + "tiger.jpg\")", "ORTModelForImageClassification",
        "processor = AutoImageProcessor.from_pretrained(\"vit\")",
        "modelexport run onnx/model_quantized.onnx tiger.jpg\n", "configuration and preprocessor files"},
       {"I love this movie", "AutoTokenizer", "tokenizer"}},
      {"zero-shot image: an image URL and labels, AutoProcessor",
       clip,
       {"await pipe(\"" + docs + "tiger.jpg\", [\"tiger\", \"cat\"])", "processor = AutoProcessor.from_pretrained",
        "modelexport run onnx/model.onnx tiger.jpg --labels tiger cat\n"},
       {"I love this movie", "AutoTokenizer"}},
      {"speech recognition: a recording URL and AutoProcessor",
       audio,
       {"await pipe(\"" + docs + "jfk.wav\")", "processor = AutoProcessor.from_pretrained(\"w2v\")",
        "modelexport run onnx/model_q4.onnx jfk.wav\n"},
       {"I love this movie", "AutoTokenizer"}},
      {"audio classification: a recording URL and AutoFeatureExtractor",
       sound,
       {"await pipe(\"" + docs + "jfk.wav\")", "ORTModelForAudioClassification",
        "feature_extractor = AutoFeatureExtractor.from_pretrained(\"ast\")",
        "modelexport run onnx/model.onnx jfk.wav\n"},
       {"I love this movie", "AutoTokenizer"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string text = model_card_text(c.card);
    EXPECT_TRUE(has_model_card_marker(text));
    for (const auto& p : c.present) EXPECT_TRUE(has(text, p)) << "missing: " << p << "\n" << text;
    for (const auto& p : c.absent) EXPECT_FALSE(has(text, p)) << "unexpected: " << p << "\n" << text;
  }
}

TEST(ModelCard, FrontMatterValues) {
  struct Case {
    std::string readme, key, expected;
  };
  const std::vector<Case> cases = {
      {"---\nlicense: mit\npipeline_tag: fill-mask\n---\n# x\n", "license", "mit"},
      {"---\nlanguage: en\nlicense: \"apache-2.0\"\n---\n", "license", "apache-2.0"},
      {"---\npipeline_tag: fill-mask\n---\nlicense: mit\n", "license", ""},  // after the front matter
      {"# no front matter\nlicense: mit\n", "license", ""},
      {"---\nlicense: cc-by-4.0\r\n---\n", "license", "cc-by-4.0"},
      {"---\nlicense: mit\n---\n", "pipeline_tag", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(model_card_front_matter_value(c.readme, c.key), c.expected) << c.readme;
}

}  // namespace
}  // namespace modelexport::metadata
