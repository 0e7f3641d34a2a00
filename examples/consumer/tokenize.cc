// Tokenize texts with a Hugging Face tokenizer.json, through the installed library's umbrella header
// and modelexport::processors alone (no protobuf, no ONNX Runtime). Prints one line per text: the ids.
//
//   tokenize tokenizer.json "Hello world!" ...
#include <iostream>

#include "modelexport/modelexport.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tokenize TOKENIZER.json TEXT...\n";
    return 2;
  }
  try {
    auto tokenizer = modelexport::processors::Tokenizer::from_json(modelexport::read_file(argv[1]));
    for (int i = 2; i < argc; ++i) {
      modelexport::processors::Encoding encoding = tokenizer.encode(argv[i]);
      for (size_t j = 0; j < encoding.ids.size(); ++j) std::cout << (j ? " " : "") << encoding.ids[j];
      std::cout << "\n";
    }
    std::cerr << "modelexport " << MODELEXPORT_VERSION_STRING << "\n";
    return 0;
  } catch (const modelexport::Error& e) {
    std::cerr << "tokenize: " << e.what() << "\n";
    return 1;
  }
}
