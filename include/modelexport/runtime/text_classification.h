// The text-classification pipeline on a self-contained model: tokenizer, labels and problem type come
// from the embedded metadata; results are shaped like transformers.js' pipeline output.
//
//   auto classify = TextClassificationPipeline::from_model("model.onnx");
//   auto results = classify({"I love this"}, /*top_k=*/2);   // results[0][0].label, .score
//
// Thread-safety: calls may come from several threads at once.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

struct LabelScore {
  std::string label;
  double score = 0;
};

class TextClassificationPipeline {
 public:
  // Throws MetadataReadError when the model carries no tokenizer or config, RuntimeError when the
  // session cannot be created.
  static TextClassificationPipeline from_model(const std::filesystem::path& model, const SessionOptions& options = {});
  ~TextClassificationPipeline();
  TextClassificationPipeline(TextClassificationPipeline&&) noexcept;

  // One list per text, best first: softmax over the logits (sigmoid for multi-label problems or a
  // single logit), top_k entries.
  std::vector<std::vector<LabelScore>> operator()(const std::vector<std::string>& texts, size_t top_k = 1) const;

 private:
  struct Impl;
  explicit TextClassificationPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelexport::runtime
