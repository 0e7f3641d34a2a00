// Classify texts with a self-contained ONNX model: the tokenizer, labels and task come from the file.
//
//   build/examples/classify model.onnx "I love this movie" "What a terrible day"
#include <iostream>

#include "modelexport/common/error.h"
#include "modelexport/runtime/pipeline.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: classify MODEL.onnx TEXT...\n";
    return 2;
  }
  try {
    auto classifier = modelexport::runtime::pipeline(argv[1]);  // task from the embedded metadata
    std::vector<modelexport::runtime::PipelineInput> inputs;
    for (int i = 2; i < argc; ++i) {
      modelexport::runtime::PipelineInput input;
      input.text = argv[i];
      inputs.push_back(input);
    }
    modelexport::runtime::PipelineOptions options;
    options.top_k = 2;
    auto results = classifier->run(inputs, options);  // one JSON text per input
    for (size_t i = 0; i < results.size(); ++i) std::cout << inputs[i].text << "\t" << results[i] << "\n";
    return 0;
  } catch (const modelexport::Error& e) {
    std::cerr << "classify: " << e.what() << "\n";
    return 1;
  }
}
