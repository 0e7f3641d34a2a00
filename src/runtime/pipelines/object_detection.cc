// object-detection as Python transformers' ObjectDetectionPipeline (v4.57, pipelines/object_detection.py
// postprocess + models/detr/image_processing_detr.py post_process_object_detection, which YOLOS shares):
// per query, softmax over the classes of `logits` [batch, queries, classes + 1] in float32, the best
// class but the last ("no object"), kept when its score is strictly above `threshold` (default 0.5);
// `pred_boxes` [batch, queries, 4] (center x, center y, width, height, relative) to corners, scaled by
// the original image's width and height in float32 and truncated to ints (`box.int()`), in query
// order: [{"score","label","box":{"xmin","ymin","xmax","ymax"}}].
// transformers.js 4.3.1 differs: its default threshold is 0.9, and it takes the argmax over all classes
// including "no object" (skipping the query when that wins), which keeps fewer boxes below 0.5.
#include <algorithm>
#include <cmath>

#include "modelexport/common/error.h"
#include "runtime/pipelines/dense_image_pipelines.h"
#include "runtime/pipelines/image_pipeline.h"

namespace modelexport::runtime {
namespace {

class ObjectDetection final : public ImagePipeline {
 public:
  ObjectDetection(AutoModel m, AutoProcessor p) : ImagePipeline("object-detection", std::move(m), std::move(p)) {}

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    if (!(o.threshold >= 0.0 && o.threshold <= 1.0))
      throw UsageError("threshold " + std::to_string(o.threshold) + " is not between 0 and 1");
    std::vector<OJson> out(inputs.size());
    image_batches(inputs, o, [&](ImageBatch& batch) {
      const auto outputs = model_.run(batch.inputs);
      const Tensor& logits = output(outputs, "logits", 3);
      const Tensor& boxes = output(outputs, "pred_boxes", 3);
      const size_t queries = static_cast<size_t>(logits.shape[1]), classes = static_cast<size_t>(logits.shape[2]);
      if (classes < 2 || boxes.shape[0] != logits.shape[0] || boxes.shape[1] != logits.shape[1] || boxes.shape[2] != 4)
        throw RuntimeError(
            "object-detection: logits [batch, queries, classes + 1] and pred_boxes [batch, queries, 4] "
            "expected, got logits " +
            shape_text(logits.shape) + " and pred_boxes " + shape_text(boxes.shape));
      std::vector<float> p(classes);
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        const float img_h = static_cast<float>(batch.original_sizes[r].first);
        const float img_w = static_cast<float>(batch.original_sizes[r].second);
        OJson list = OJson::array();
        for (size_t q = 0; q < queries; ++q) {
          const float* row = logits.f32.data() + (r * queries + q) * classes;
          // torch.softmax in float32: exp(x - max) / sum.
          const float mx = *std::max_element(row, row + classes);
          float sum = 0;
          for (size_t c = 0; c < classes; ++c) sum += p[c] = std::exp(row[c] - mx);
          for (auto& v : p) v /= sum;
          // prob[..., :-1].max(-1): the first of equal maxima.
          const size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end() - 1) - p.begin());
          const float score = p[best];
          if (!(static_cast<double>(score) > o.threshold)) continue;
          const float* b = boxes.f32.data() + (r * queries + q) * 4;
          // center_to_corners_format, then * [w, h, w, h], float32; .int() truncates toward zero.
          const float cx = b[0], cy = b[1], w = b[2], h = b[3];
          const float half_w = 0.5f * w, half_h = 0.5f * h;
          auto to_int = [](float v) { return static_cast<int64_t>(std::trunc(v)); };
          OJson box = {{"xmin", to_int((cx - half_w) * img_w)},
                       {"ymin", to_int((cy - half_h) * img_h)},
                       {"xmax", to_int((cx + half_w) * img_w)},
                       {"ymax", to_int((cy + half_h) * img_h)}};
          list.push_back({{"score", static_cast<double>(score)}, {"label", label(best)}, {"box", std::move(box)}});
        }
        out[batch.rows[r]] = std::move(list);
      }
    });
    return out;
  }

  static std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_object_detection(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ObjectDetection>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
