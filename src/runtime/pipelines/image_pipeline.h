// Shared machinery of the image pipelines (internal): image inputs (a file, or a decoded image)
// decoded and preprocessed through the AutoProcessor into pixel_values (+ pixel_mask), in batches,
// with each image's original size kept for post-processing (boxes, masks in the image's pixels).
//
//   class MyTask final : public ImagePipeline {
//     std::vector<OJson> results(const std::vector<PipelineInput>& in, const PipelineOptions& o) const override {
//       std::vector<OJson> out(in.size());
//       image_batches(in, o, [&](ImageBatch& b) {
//         auto outputs = model_.run(b.inputs);               // the caller may add inputs first (CLIP's text)
//         for (size_t r = 0; r < b.rows.size(); ++r) out[b.rows[r]] = ...;   // b.original_sizes[r]
//       });
//       return out;
//     }
//   };
//
// Each image is decoded, preprocessed and dropped on its own (a worker holds one image at a time;
// PipelineOptions::image_threads workers; a batch of fewer images than workers gives each image
// workers / images threads, which decode a baseline JPEG in bands); a file is decoded and resized in one pass
// (ImageProcessor::decode_and_resize: a JPEG row by row, its full-size image never held), so memory
// stays near one resized image per thread however large the batch. Rows of a batch share one processed size: images
// whose processed sizes differ go to separate batches and are never padded to each other (Python's pipelines process
// one image per call, and DETR-style padding changes a backbone's outputs), so results do not depend on the grouping. A
// model taking pixel_mask gets the processor's mask (all ones for one image).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {

// An image input's decoded RGB image: `decoded_image` when given, else the file `image` decoded with
// the options' pixel limit. UsageError naming input `index` (1-based) when it has neither.
processors::Image input_image(const PipelineInput& in, size_t index, const PipelineOptions& options);

class ImagePipeline : public TextPipeline {
 public:
  // UnsuitableModelError unless the model takes pixel_values (an image model).
  ImagePipeline(std::string task, AutoModel model, AutoProcessor processor);

 protected:
  struct ImageBatch {
    std::vector<size_t> rows;                         // the input index of each batch row
    std::map<std::string, Tensor> inputs;             // pixel_values [rows, 3, H, W] (+ pixel_mask [rows, H, W])
    std::vector<std::pair<int, int>> original_sizes;  // (height, width) of each row's decoded, upright image
  };
  // Decodes and preprocesses the inputs' images in batches of at most options.batch_size (1 for
  // batch-dependent models, the model's static batch when it has one) and calls `each` per batch, in
  // input order. Decode errors name the input.
  void image_batches(const std::vector<PipelineInput>& inputs, const PipelineOptions& options,
                     const std::function<void(ImageBatch&)>& each) const;
  // The model's batch limit for pixel_values: its static batch dim, 1 when batch-dependent, else `wanted`.
  size_t image_batch_size(size_t wanted) const;
};

// Task factories (one per pipelines/*.cc).
std::unique_ptr<Pipeline> make_image_classification(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_image_feature_extraction(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_zero_shot_image_classification(AutoModel model, AutoProcessor processor);

// transformers.js' two-file dual encoder: text_model.onnx + vision_model.onnx (same dtype suffix).
struct DualEncoderFiles {
  std::filesystem::path text, vision;
};
// The pair `path` belongs to: a folder holding both (or its onnx/ subfolder), or one of the two
// files with its sibling beside it. nullopt otherwise.
std::optional<DualEncoderFiles> find_dual_encoder_files(const std::filesystem::path& path);
// zero-shot-image-classification on such a pair (each file with its own embedded metadata).
std::unique_ptr<Pipeline> make_dual_encoder_zero_shot(const DualEncoderFiles& files, const SessionOptions& session);

}  // namespace modelexport::runtime
