// Audio benchmark (bench/audio.sh): decode time, streaming peak memory, feature extraction time.
//   bench_audio decode FILE            → {"seconds","samples","peak_rss_mb"}   (whole file in memory)
//   bench_audio stream FILE            → {"seconds","samples","peak_rss_mb"}   (blocks, discarded)
//   bench_audio features CONFIG SAMPLES.f32 RUNS → {"seconds","cpu_seconds"} (best of RUNS, one 30 s window)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "modelexport/processors/audio.h"
#include "modelexport/processors/audio_features.h"

using namespace modelexport::processors;

static double cpu_seconds() {  // user + system CPU of the process: robust on a loaded machine
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

static std::string read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  std::string mode = argv[1];
  auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (mode == "decode") {
    Audio a = decode_audio_file(argv[2], 16000);
    std::printf("{\"seconds\": %.4f, \"samples\": %zu, \"peak_rss_mb\": %.1f}\n", seconds(), a.samples.size(),
                peak_rss_mb());
  } else if (mode == "stream") {
    size_t n = 0;
    decode_audio_stream(argv[2], 16000, [&](const float*, size_t count) { n += count; });
    std::printf("{\"seconds\": %.4f, \"samples\": %zu, \"peak_rss_mb\": %.1f}\n", seconds(), n, peak_rss_mb());
  } else if (mode == "features" && argc >= 5) {
    auto fe = AudioFeatureExtractor::from_json(read(argv[2]));
    std::string raw = read(argv[3]);
    const float* s = reinterpret_cast<const float*>(raw.data());
    size_t n = raw.size() / sizeof(float);
    double best = 1e9, best_cpu = 1e9;
    for (int r = 0; r < std::stoi(argv[4]); ++r) {
      auto start = std::chrono::steady_clock::now();
      double cpu = cpu_seconds();
      AudioFeatures f = fe.extract(s, n);
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (f.values.empty()) return 1;
    }
    std::printf("{\"seconds\": %.5f, \"cpu_seconds\": %.5f}\n", best, best_cpu);
  } else {
    return 2;
  }
  return 0;
}
