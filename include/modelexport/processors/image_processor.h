// An image processor rebuilt from preprocessor_config.json, doing what transformers' PIL backend
// (PilBackend, transformers main 2025-2026) does to RGB images: resize → center_crop → rescale →
// normalize → pad, channels first, with Python's int()/round() size arithmetic. The result equals a
// Pillow 9.4 + numpy reference to float32 rounding (max |diff| ≤ 1e-6; tests/processors/
// image_processor_test.cc against scripts/golden/image_preprocess.py).
//
//   auto processor = ImageProcessor::from_json(read_file("preprocessor_config.json"), "preprocessor_config.json");
//   PixelTensors t = processor.preprocess({load_image("cat.jpg")});
//   // t.shape == {1, 3, 224, 224}; t.pixel_values row-major; t.pixel_mask for DETR
//
// Processor types (image_processor_type, or the legacy feature_extractor_type; "Fast"/"Pil" suffixes
// and "FeatureExtractor" spellings are read as the same class): ViT, DeiT, BEiT, ConvNext (also what
// ResNet configs name), CLIP, SigLIP, DETR, YOLOS, SegFormer, and transformers.js' generic
// ImageFeatureExtractor. Another type is a ProcessorReconstructionError naming it and listing these.
//
// Thread-safety: immutable after construction; preprocess may be called from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/processors/image.h"

namespace modelexport::processors {

struct PixelTensors {
  std::vector<int64_t> shape;  // {batch, 3, height, width}
  std::vector<float> pixel_values;
  std::vector<int64_t> pixel_mask_shape;            // {batch, height, width} when the processor returns a mask
  std::vector<int64_t> pixel_mask;                  // 1 for image pixels, 0 for padding
  std::vector<std::pair<int, int>> original_sizes;  // (height, width) of each input image
};

// An image after the processor's resize step (ConvNext: with its crop), and its size before it (what
// detection boxes and segmentation masks are scaled back to).
struct ResizedImage {
  Image image;
  int original_height = 0, original_width = 0;
};

class ImageProcessor {
 public:
  // Throws ProcessorReconstructionError (unknown type, a size it cannot use) or MetadataReadError
  // (bad JSON, a key of the wrong type), naming `source` and the key.
  static ImageProcessor from_json(std::string_view preprocessor_config, std::string_view source);
  static std::vector<std::string> supported_types();

  // The class the config names, normalized ("CLIPImageProcessor" for "CLIPFeatureExtractor").
  const std::string& type() const;
  bool returns_pixel_mask() const;

  // The batch as the model takes it: each image processed, then (DETR, YOLOS, do_pad) padded at the
  // bottom/right to the largest. Images of different processed sizes without padding are a UsageError.
  PixelTensors preprocess(const std::vector<Image>& images) const;

  // decode_image + this processor's resize step in one pass (decode_image_resized: a JPEG's full-size
  // image is never held), then preprocess(resized) for the remaining steps; together equal to
  // preprocess({decode_image(bytes)}). ImageDecodeError / UsageError as those functions throw.
  //   std::vector<ResizedImage> r;
  //   r.push_back(processor.decode_and_resize(read_file("cat.jpg"), "cat.jpg"));
  //   PixelTensors t = processor.preprocess(r);
  ResizedImage decode_and_resize(std::string_view bytes, std::string_view source,
                                 const ImageDecodeOptions& options = {}) const;
  PixelTensors preprocess(const std::vector<ResizedImage>& resized) const;

  struct Config;

 private:
  PixelTensors finish(const std::vector<const Image*>& resized,
                      const std::vector<std::pair<int, int>>& original_sizes) const;
  std::shared_ptr<const Config> config_;
};

}  // namespace modelexport::processors
