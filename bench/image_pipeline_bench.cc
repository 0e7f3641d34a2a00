// image-classification end to end through the C++ pipeline API in one warm process, the counterpart
// of bench/transformers_js_image_bench.mjs (bench/image_pipelines.sh runs both, alternating):
//   bench_image_pipeline MODEL.onnx THREADS ITER IMAGE...
//   → {"images", "load_ms", "first_call_ms", "times_ms": [...], "cpu_ms": [...], "top", "stages", "peak_rss_mb"}
// load_ms: pipeline() (metadata read, processor rebuilt, ONNX Runtime session created). Then one
// warm-up call, then ITER timed calls of pipe->run on the whole list of paths as one batch (batch size
// = the number of images): each call reads the files, decodes, preprocesses, runs the model and
// post-processes (softmax, top 5, the JSON texts). Wall time (steady clock) and CPU time of the whole
// process (CLOCK_PROCESS_CPUTIME_ID: every thread, ONNX Runtime's pool and the decode threads) per
// call. THREADS is ONNX Runtime's intra-op thread count and the decode threads (as `run --threads`;
// $IMAGE_THREADS sets the decode threads alone), each image's decode getting THREADS / images of them.
// Then the stages one after another on one thread, ITER times each, medians (CPU ms of the process):
// "stages": {"decode_resize_ms" (read + ImageProcessor::decode_and_resize of every image), "finish_ms"
// (crop, rescale, normalize, batching), "model_ms" (AutoModel::run on the batch, THREADS intra-op), "model_wall_ms"}.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "modelexport/common/files.h"
#include "modelexport/runtime/pipeline.h"

using namespace modelexport::runtime;

namespace {

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double wall_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench_image_pipeline MODEL.onnx THREADS ITER IMAGE...\n");
    return 2;
  }
  const int threads = std::stoi(argv[2]), iterations = std::stoi(argv[3]);
  std::vector<PipelineInput> inputs;
  for (int i = 4; i < argc; ++i) inputs.push_back({.image = argv[i]});
  SessionOptions session;
  session.intra_op_threads = threads;
  session.inter_op_threads = 1;
  // $ORT_SPINNING=1 keeps ONNX Runtime's spinning workers on (the image pipelines turn them off).
  if (const char* spin = std::getenv("ORT_SPINNING")) session.intra_op_spinning = std::string(spin) != "0";
  const double t0 = wall_ms();
  auto pipe = pipeline(argv[1], "image-classification", session);
  const double load = wall_ms() - t0;
  PipelineOptions options;
  options.top_k = 5;
  options.batch_size = inputs.size();
  // Decode threads: THREADS, or $IMAGE_THREADS (1: one image is decoded on one thread, no JPEG bands).
  const char* image_threads = std::getenv("IMAGE_THREADS");
  options.image_threads = static_cast<size_t>(image_threads ? std::stoi(image_threads) : threads);
  std::vector<double> wall, cpu;
  double first = 0;
  std::string top;
  for (int it = -1; it < iterations; ++it) {
    const double w = wall_ms(), c = cpu_ms();
    std::vector<std::string> results = pipe->run(inputs, options);
    const double dw = wall_ms() - w, dc = cpu_ms() - c;
    if (it < 0) first = dw, top = results.at(0);
    else wall.push_back(dw), cpu.push_back(dc);
  }
  // The stages alone, on this thread (ONNX Runtime's pool for the model).
  const auto& processor = pipe->processor();
  std::vector<double> decode, finish, model, model_wall;
  for (int it = 0; it < std::max(1, iterations); ++it) {
    double c = cpu_ms();
    std::vector<modelexport::processors::ResizedImage> resized;
    for (const auto& in : inputs)
      resized.push_back(processor.image_processor().decode_and_resize(modelexport::read_file(in.image), in.image));
    decode.push_back(cpu_ms() - c);
    c = cpu_ms();
    auto tensors = processor.image_inputs(processor.image_processor().preprocess(resized));
    finish.push_back(cpu_ms() - c);
    c = cpu_ms();
    const double w = wall_ms();
    auto outputs = pipe->model().run(tensors);
    model.push_back(cpu_ms() - c);
    model_wall.push_back(wall_ms() - w);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json out = {{"peak_rss_mb", double(usage.ru_maxrss) / 1024.0},
                        {"images", inputs.size()},
                        {"load_ms", load},
                        {"first_call_ms", first},
                        {"times_ms", wall},
                        {"cpu_ms", cpu},
                        {"top", nlohmann::json::parse(top).at(0)},
                        {"stages",
                         {{"decode_resize_ms", median(decode)},
                          {"finish_ms", median(finish)},
                          {"model_ms", median(model)},
                          {"model_wall_ms", median(model_wall)}}}};
  std::printf("%s\n", out.dump().c_str());
}
