// Text-to-image search with a CLIP-style dual encoder in transformers.js' two-file layout
// (text_model.onnx → text_embeds, vision_model.onnx → image_embeds), each file self-contained: every
// image is embedded once, then each query's embedding ranks the images by cosine similarity.
//
//   build/examples/image_search text_model.onnx vision_model.onnx "a photo of a cat" -- cat.jpg bus.jpg teapot.jpg
#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "modelexport/common/error.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"

namespace {

using modelexport::runtime::AutoModel;
using modelexport::runtime::AutoProcessor;
using modelexport::runtime::Tensor;

// Rows of a [n, dims] embedding tensor, L2-normalised (CLIP compares unit vectors).
std::vector<std::vector<float>> unit_rows(const Tensor& t) {
  const size_t dims = static_cast<size_t>(t.shape[1]);
  std::vector<std::vector<float>> rows;
  for (size_t r = 0; r * dims < t.f32.size(); ++r) {
    std::vector<float> v(t.f32.begin() + r * dims, t.f32.begin() + (r + 1) * dims);
    double norm = 0;
    for (float x : v) norm += double(x) * x;
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    rows.push_back(std::move(v));
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> queries, images;
  bool after_dashes = false;
  for (int i = 3; i < argc; ++i) {
    if (std::string(argv[i]) == "--") after_dashes = true;
    else (after_dashes ? images : queries).push_back(argv[i]);
  }
  if (argc < 4 || queries.empty() || images.empty()) {
    std::cerr << "usage: image_search TEXT_MODEL.onnx VISION_MODEL.onnx QUERY... -- IMAGE...\n";
    return 2;
  }
  try {
    AutoModel text = AutoModel::from_model(argv[1], {});
    AutoProcessor tokenizer = AutoProcessor::from_model(argv[1], text.inputs());
    AutoModel vision = AutoModel::from_model(argv[2], {});
    AutoProcessor image_processor = AutoProcessor::from_model(argv[2], vision.inputs());

    // The image index: one embedding per image (a real index would store these once).
    std::vector<std::vector<float>> index;
    for (const auto& path : images) {
      std::vector<modelexport::processors::Image> one;
      one.push_back(modelexport::processors::load_image(path));  // Pillow's pixels, EXIF-upright
      auto e = unit_rows(vision.run(image_processor.image_inputs(one)).at("image_embeds"));
      index.push_back(std::move(e[0]));
    }
    auto encodings = tokenizer.encode(queries);
    std::vector<const modelexport::processors::Encoding*> batch;
    for (const auto& e : encodings) batch.push_back(&e);
    auto query_vectors = unit_rows(text.run(tokenizer.to_inputs(batch)).at("text_embeds"));
    for (size_t q = 0; q < queries.size(); ++q) {
      std::cout << queries[q] << "\n";
      std::vector<std::pair<double, size_t>> ranked;
      for (size_t i = 0; i < index.size(); ++i) {
        double dot = 0;
        for (size_t k = 0; k < index[i].size(); ++k) dot += double(query_vectors[q][k]) * index[i][k];
        ranked.emplace_back(dot, i);
      }
      std::sort(ranked.rbegin(), ranked.rend());
      for (const auto& [score, i] : ranked) std::cout << "  " << score << "\t" << images[i] << "\n";
    }
    return 0;
  } catch (const modelexport::Error& e) {
    std::cerr << "image_search: " << e.what() << "\n";
    return 1;
  }
}
