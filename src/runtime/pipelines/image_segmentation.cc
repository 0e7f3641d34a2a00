// image-segmentation (semantic) as Python transformers' ImageSegmentationPipeline (v4.57,
// pipelines/image_segmentation.py, subtask "semantic") on models/segformer/image_processing_segformer.py
// post_process_semantic_segmentation: `logits` [batch, labels, h, w] upsampled to the original image
// size as torch.nn.functional.interpolate(mode="bilinear", align_corners=False) computes it in float32
// (upsample.h), argmax over labels (first maximum), then per label present in
// ascending id order (np.unique) a mask (map == label) * 255 as an L image:
// [{"score": null, "label", "mask": "OUTPUT_DIR/NAME.png"}]. Masks are kept in memory until every input
// has succeeded, then written (atomically, each file) — nothing is written when an input fails.
// transformers.js 4.3.1 returns the masks as RawImage objects instead of files, with the same labels.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "runtime/pipelines/dense_image_pipelines.h"
#include "runtime/pipelines/image_pipeline.h"
#include "runtime/pipelines/upsample.h"

namespace modelexport::runtime {
namespace {

std::string file_part(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out.empty() ? "mask" : out;
}

class ImageSegmentation final : public ImagePipeline {
 public:
  ImageSegmentation(AutoModel m, AutoProcessor p) : ImagePipeline("image-segmentation", std::move(m), std::move(p)) {}

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    if (o.output_dir.empty())
      throw UsageError("image-segmentation writes its masks as PNG files: give an output folder (--output-dir)");
    std::vector<OJson> out(inputs.size());
    std::vector<std::pair<std::filesystem::path, std::string>> files;  // written once every input succeeded
    image_batches(inputs, o, [&](ImageBatch& batch) {
      const auto outputs = model_.run(batch.inputs);
      const Tensor& logits = output(outputs, "logits", 4);
      const int labels = static_cast<int>(logits.shape[1]);
      const int lh = static_cast<int>(logits.shape[2]), lw = static_cast<int>(logits.shape[3]);
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        const auto [height, width] = batch.original_sizes[r];
        const BilinearUpsample up(lh, lw, height, width, BilinearUpsample::kernel_for(labels, lh, lw));
        const float* base = logits.f32.data() + r * size_t(labels) * lh * lw;
        std::vector<int> map(size_t(height) * width, 0);
        std::vector<float> rows(size_t(labels) * width);  // row y of every label's upsampled plane
        for (int y = 0; y < height; ++y) {
          for (int c = 0; c < labels; ++c) up.row(base + size_t(c) * lh * lw, y, rows.data() + size_t(c) * width);
          for (int x = 0; x < width; ++x) {
            float best = 0;
            int arg = 0;
            for (int c = 0; c < labels; ++c) {
              const float v = rows[size_t(c) * width + x];
              // torch.argmax: the first maximum; NaN counts as the maximum.
              if (c == 0 || v > best || (std::isnan(v) && !std::isnan(best))) best = v, arg = c;
            }
            map[size_t(y) * width + x] = arg;
          }
        }
        std::vector<char> present(labels, 0);
        for (int v : map) present[v] = 1;
        const size_t input = batch.rows[r];
        const std::string stem = inputs[input].image.empty()
                                     ? "image"
                                     : file_part(std::filesystem::path(inputs[input].image).stem().string());
        OJson list = OJson::array();
        for (int c = 0; c < labels; ++c) {
          if (!present[c]) continue;
          processors::Image mask;
          mask.width = width, mask.height = height, mask.channels = 1;
          mask.pixels.resize(map.size());
          for (size_t i = 0; i < map.size(); ++i) mask.pixels[i] = map[i] == c ? 255 : 0;
          const std::filesystem::path path =
              o.output_dir / (std::to_string(input + 1) + "-" + stem + "-" + std::to_string(c) + "-" +
                              file_part(label(static_cast<size_t>(c))) + ".png");
          files.emplace_back(path, processors::encode_png(mask));
          list.push_back({{"score", nullptr}, {"label", label(static_cast<size_t>(c))}, {"mask", path.string()}});
        }
        out[input] = std::move(list);
      }
    });
    write_output_files(o.output_dir, files);
    return out;
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_image_segmentation(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ImageSegmentation>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
