#include "runtime/pipelines/image_pipeline.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

namespace modelexport::runtime {

processors::Image input_image(const PipelineInput& in, size_t index, const PipelineOptions& options) {
  if (in.decoded_image.width > 0) return in.decoded_image;
  if (in.image.empty())
    throw UsageError("input " + std::to_string(index) +
                     " has no image; an image pipeline needs an image file per input");
  processors::ImageDecodeOptions decode;
  decode.max_pixels = options.max_image_pixels;
  return processors::load_image(in.image, decode);
}

ImagePipeline::ImagePipeline(std::string task, AutoModel model, AutoProcessor processor)
    : TextPipeline(task, std::move(model), std::move(processor)) {
  if (processor_.modality() != Modality::kImage)
    throw UnsuitableModelError(task + " needs an image model (one that takes pixel_values)");
}

size_t ImagePipeline::image_batch_size(size_t wanted) const {
  if (model_.batch_dependent()) return 1;
  for (const auto& in : model_.inputs())
    if (in.name == processor_.pixel_values_input() && !in.shape.empty() && in.shape[0] > 0)
      return static_cast<size_t>(in.shape[0]);
  return std::max<size_t>(wanted, 1);
}

namespace {

// One image's processed tensors: pixel_values [1, 3, h, w] (+ pixel_mask [1, h, w]).
struct Processed {
  std::map<std::string, Tensor> tensors;
  std::pair<int, int> original;  // (height, width)
  int64_t h = 0, w = 0;          // the processed size
};

// Rows of one processed size into one batch: each tensor concatenated along dim 0.
std::map<std::string, Tensor> concatenate(const std::vector<Processed*>& rows) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, first] : rows.front()->tensors) {
    Tensor t;
    t.shape = first.shape;
    t.shape[0] = static_cast<int64_t>(rows.size());
    t.f32.reserve(first.f32.size() * rows.size());  // one allocation, each row copied once
    t.i64.reserve(first.i64.size() * rows.size());
    for (const Processed* p : rows) {
      const Tensor& src = p->tensors.at(name);
      t.f32.insert(t.f32.end(), src.f32.begin(), src.f32.end());
      t.i64.insert(t.i64.end(), src.i64.begin(), src.i64.end());
    }
    out[name] = std::move(t);
  }
  return out;
}

// One input's tensors. A file is decoded and resized in one pass (ImageProcessor::decode_and_resize:
// a JPEG is resized row by row as it decodes, its full-size image never held, as `preprocess` does);
// an already decoded image goes through the processor as it is. Either way one worker holds at most
// one image at a time.
// `decode_threads` threads may decode the one image (a baseline JPEG in bands, ImageDecodeOptions::threads).
Processed process(const AutoProcessor& processor, const PipelineInput& in, size_t index, const PipelineOptions& options,
                  int decode_threads) {
  Processed p;
  if (in.decoded_image.width > 0 || in.image.empty()) {
    std::vector<processors::Image> one;
    one.push_back(input_image(in, index, options));
    p.original = {one[0].height, one[0].width};
    p.tensors = processor.image_inputs(one);
  } else {
    processors::ImageDecodeOptions decode;
    decode.max_pixels = options.max_image_pixels;
    decode.threads = decode_threads;
    const processors::ImageProcessor& ip = processor.image_processor();
    std::vector<processors::ResizedImage> resized;
    resized.push_back(ip.decode_and_resize(read_file(in.image), in.image, decode));
    p.original = {resized[0].original_height, resized[0].original_width};
    p.tensors = processor.image_inputs(ip.preprocess(resized));
  }
  const Tensor& pixels = p.tensors.at(processor.pixel_values_input());
  p.h = pixels.shape[2], p.w = pixels.shape[3];
  return p;
}

}  // namespace

void ImagePipeline::image_batches(const std::vector<PipelineInput>& inputs, const PipelineOptions& options,
                                  const std::function<void(ImageBatch&)>& each) const {
  const size_t batch_size = image_batch_size(options.batch_size);
  for (size_t first = 0; first < inputs.size(); first += batch_size) {
    const size_t n = std::min(batch_size, inputs.size() - first);
    std::vector<Processed> done(n);
    std::vector<std::exception_ptr> errors(n);
    std::atomic<size_t> next{0};
    size_t threads = options.image_threads ? options.image_threads : std::max(1u, std::thread::hardware_concurrency());
    // Fewer images than threads: the spare threads decode inside an image (JPEG bands) while the
    // machine has an idle core for them.
    const int per_image = processors::decode_threads_for_load(static_cast<int>(std::max<size_t>(1, threads / n)));
    threads = std::min(threads, n);
    auto work = [&] {
      for (size_t i; (i = next++) < n;) {
        try {
          done[i] = process(processor_, inputs[first + i], first + i + 1, options, per_image);
          const Tensor& pixels = done[i].tensors.at(processor_.pixel_values_input());
          done[i].h = pixels.shape[2], done[i].w = pixels.shape[3];
        } catch (...) { errors[i] = std::current_exception(); }
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);  // the first failing input, in input order
    // Rows of one processed size form a batch. Images are never padded to each other: Python's
    // pipelines process one image per call, and padding (DETR's pixel_mask) changes a convolutional
    // backbone's outputs near the border.
    std::vector<bool> taken(n, false);
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      ImageBatch batch;
      std::vector<Processed*> rows;
      for (size_t j = i; j < n; ++j)
        if (!taken[j] && done[j].h == done[i].h && done[j].w == done[i].w) {
          taken[j] = true;
          rows.push_back(&done[j]);
          batch.rows.push_back(first + j);
          batch.original_sizes.push_back(done[j].original);
        }
      batch.inputs = rows.size() == 1 ? std::move(rows[0]->tensors) : concatenate(rows);
      each(batch);
    }
  }
}

}  // namespace modelexport::runtime
