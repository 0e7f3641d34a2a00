// Image preprocessing benchmark (bench/images.sh), in one warm process as the Pillow side is measured:
//   bench_image PREPROCESSOR_CONFIG.json IMAGE RUNS
//   → {"decode_ms","preprocess_ms","total_ms","fused_ms","fused_threads_ms","threads","peak_rss_mb"}:
//     medians over RUNS of decode_image alone, of ImageProcessor::preprocess alone, of the two together,
//     of decode_and_resize + preprocess on one thread, and of the same with ImageDecodeOptions::threads =
//     the hardware threads (what `modelexport preprocess` runs: a baseline JPEG decoded in bands); the
//     file's bytes are read once, beforehand. Wall time (steady clock).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "modelexport/common/files.h"
#include "modelexport/processors/image.h"
#include "modelexport/processors/image_processor.h"

using namespace modelexport;
using namespace modelexport::processors;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_image PREPROCESSOR_CONFIG.json IMAGE RUNS\n");
    return 2;
  }
  const ImageProcessor processor = ImageProcessor::from_json(read_file(argv[1]), argv[1]);
  const std::string bytes = read_file(argv[2]);
  const int runs = std::max(1, std::stoi(argv[3]));
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::vector<double> decode, preprocess, total, fused, fused_threads;
  ImageDecodeOptions threaded;
  threaded.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int r = 0; r < runs; ++r) {
    auto t0 = now();
    std::vector<Image> images;
    images.push_back(decode_image(bytes, argv[2]));
    auto t1 = now();
    PixelTensors t = processor.preprocess(images);
    auto t2 = now();
    decode.push_back(ms(t0, t1));
    preprocess.push_back(ms(t1, t2));
    total.push_back(ms(t0, t2));
    if (t.pixel_values.empty()) return 1;
    auto t3 = now();
    std::vector<ResizedImage> resized;
    resized.push_back(processor.decode_and_resize(bytes, argv[2]));
    PixelTensors f = processor.preprocess(resized);
    fused.push_back(ms(t3, now()));
    if (f.pixel_values != t.pixel_values) {
      std::fprintf(stderr, "decode_and_resize differs from decode_image + preprocess\n");
      return 1;
    }
    auto t4 = now();
    std::vector<ResizedImage> banded;
    banded.push_back(processor.decode_and_resize(bytes, argv[2], threaded));
    PixelTensors b = processor.preprocess(banded);
    fused_threads.push_back(ms(t4, now()));
    if (b.pixel_values != t.pixel_values) {
      std::fprintf(stderr, "decode_and_resize on %d threads differs from decode_image + preprocess\n",
                   threaded.threads);
      return 1;
    }
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf(
      "{\"decode_ms\": %.1f, \"preprocess_ms\": %.1f, \"total_ms\": %.1f, \"fused_ms\": %.1f, \"fused_threads_ms\": "
      "%.1f, "
      "\"threads\": %d, \"peak_rss_mb\": %.1f}\n",
      median(decode), median(preprocess), median(total), median(fused), median(fused_threads), threaded.threads,
      double(u.ru_maxrss) / 1024.0);
}
