// Sentence similarity with a self-contained embedding model: feature-extraction with the model's own
// sentence-transformers pooling (mean, normalised), then cosine similarity of the first sentence
// with each of the others.
//
//   build/examples/similarity model.onnx "A cat sits on the mat" "A kitten rests on a rug" "Stock prices fell"
#include <cmath>
#include <iostream>

#include "modelexport/common/error.h"
#include "modelexport/runtime/pipeline.h"

namespace {

// The pipeline returns each pooled embedding as transformers.js does, dims [1, hidden]: "[[0.1,-0.2,...]]".
std::vector<double> parse_vector(const std::string& json) {
  std::vector<double> v;
  const char* p = json.c_str() + 2;
  while (*p && *p != ']') {
    char* end = nullptr;
    v.push_back(std::strtod(p, &end));
    p = *end == ',' ? end + 1 : end;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: similarity MODEL.onnx SENTENCE SENTENCE...\n";
    return 2;
  }
  try {
    auto embed = modelexport::runtime::pipeline(argv[1], "feature-extraction");
    std::vector<modelexport::runtime::PipelineInput> inputs;
    for (int i = 2; i < argc; ++i) {
      modelexport::runtime::PipelineInput input;
      input.text = argv[i];
      inputs.push_back(input);
    }
    modelexport::runtime::PipelineOptions options;
    // Without sentence-transformers files the model gives token vectors: pool them here.
    if (!embed->processor().files().has("modules.json")) options.pooling = "mean", options.normalize = true;
    auto vectors = embed->run(inputs, options);
    auto first = parse_vector(vectors[0]);
    for (size_t i = 1; i < vectors.size(); ++i) {
      auto v = parse_vector(vectors[i]);
      double dot = 0, a = 0, b = 0;
      for (size_t k = 0; k < v.size(); ++k) dot += first[k] * v[k], a += first[k] * first[k], b += v[k] * v[k];
      std::cout << dot / std::sqrt(a * b) << "\t" << inputs[i].text << "\n";
    }
    return 0;
  } catch (const modelexport::Error& e) {
    std::cerr << "similarity: " << e.what() << "\n";
    return 1;
  }
}
