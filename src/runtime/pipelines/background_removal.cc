// background-removal as briaai/RMBG-1.4's model card does it (README.md's usage, utilities.py
// postprocess_image): the model's first output [batch, 1, h, w] upsampled to the original image size
// (torch interpolate, bilinear, align_corners=False: upsample.h), min-max normalized over the image in
// float32, * 255 and cast to uint8 (truncation; a constant output, where Python divides 0 by 0, gives
// 0), then the cut-out as `Image.new("RGBA", size, (0, 0, 0, 0)).paste(image, mask=mask)` computes it
// (Pillow 9.4 Paste.c paste_mask_L: each band DIV255(band * mask), alpha = mask). Both are written as
// PNG files into output_dir once every input has succeeded: [{"mask": PATH, "image": PATH}].
// The model card opens the original with Image.open (no EXIF rotation); we cut out the upright image
// the model saw (the same for files without an EXIF orientation). transformers.js 4.3.1 instead
// applies a sigmoid when the output leaves [0, 1], resizes the 8-bit mask with its image resize, and
// puts it as the alpha of the unchanged RGB.
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

// Pillow's DIV255 (ImagingUtils.h): a / 255 rounded, in integers.
inline uint8_t div255(unsigned a) {
  const unsigned t = a + 128;
  return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

std::string file_stem(const PipelineInput& in) {
  std::string out;
  for (char c : in.image.empty() ? std::string("image") : std::filesystem::path(in.image).stem().string())
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out.empty() ? "image" : out;
}

class BackgroundRemoval final : public ImagePipeline {
 public:
  BackgroundRemoval(AutoModel m, AutoProcessor p) : ImagePipeline("background-removal", std::move(m), std::move(p)) {
    if (model_.outputs().empty()) throw UnsuitableModelError("background-removal: the model has no outputs");
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    if (o.output_dir.empty())
      throw UsageError(
          "background-removal writes its masks and cut-outs as PNG files: give an output folder "
          "(--output-dir)");
    std::vector<OJson> out(inputs.size());
    std::vector<std::pair<std::filesystem::path, std::string>> files;  // written once every input succeeded
    image_batches(inputs, o, [&](ImageBatch& batch) {
      const auto outputs = model_.run(batch.inputs);
      const Tensor& t = output(outputs, model_.outputs().front().name, 4);
      if (t.shape[1] != 1)
        throw RuntimeError("background-removal: the model's first output must be [batch, 1, height, width], got " +
                           std::to_string(t.shape[1]) + " channels");
      const int lh = static_cast<int>(t.shape[2]), lw = static_cast<int>(t.shape[3]);
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        const size_t input = batch.rows[r];
        const auto [height, width] = batch.original_sizes[r];
        // The model card interpolates out[idx:idx + 1], a [1, 1, h, w] tensor: torch's channels-last kernel.
        const BilinearUpsample up(lh, lw, height, width, BilinearUpsample::kernel_for(1, lh, lw));
        const float* plane = t.f32.data() + r * size_t(lh) * lw;
        std::vector<float> v(size_t(height) * width);
        for (int y = 0; y < height; ++y) up.row(plane, y, v.data() + size_t(y) * width);
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        const float mi = *lo, range = *hi - *lo;
        processors::Image mask;
        mask.width = width, mask.height = height, mask.channels = 1;
        mask.pixels.resize(v.size());
        for (size_t i = 0; i < v.size(); ++i) {
          const float n = range > 0 ? (v[i] - mi) / range * 255.0f : 0.0f;
          mask.pixels[i] = static_cast<uint8_t>(std::clamp(n, 0.0f, 255.0f));  // astype(np.uint8) truncates
        }
        // The image the model saw, decoded again (the batch holds only its tensors).
        const processors::Image rgb = input_image(inputs[input], input + 1, o);
        processors::Image cut;
        cut.width = width, cut.height = height, cut.channels = 4;
        cut.pixels.resize(size_t(width) * height * 4);
        for (size_t i = 0; i < mask.pixels.size(); ++i) {
          const unsigned a = mask.pixels[i];
          for (int c = 0; c < 3; ++c) cut.pixels[i * 4 + c] = div255(rgb.pixels[i * 3 + c] * a);
          cut.pixels[i * 4 + 3] = div255(255 * a);
        }
        const std::string base = std::to_string(input + 1) + "-" + file_stem(inputs[input]);
        const auto mask_path = o.output_dir / (base + "-mask.png");
        const auto image_path = o.output_dir / (base + "-rgba.png");
        files.emplace_back(mask_path, processors::encode_png(mask));
        files.emplace_back(image_path, processors::encode_png(cut));
        out[input] = {{"mask", mask_path.string()}, {"image", image_path.string()}};
      }
    });
    write_output_files(o.output_dir, files);
    return out;
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_background_removal(AutoModel model, AutoProcessor processor) {
  return std::make_unique<BackgroundRemoval>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
