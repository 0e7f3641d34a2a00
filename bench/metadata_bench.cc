// Library-time benchmarks of reading metadata (Google Benchmark). Models come from
// bench_make_models + embed-metadata; see bench/run.sh, which also runs the process-level and
// reference comparisons. Usage: bench_metadata --model=PATH [--benchmark_* flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"

namespace {
std::string g_model;

// Open (mmap) + top-level scan: every metadata_props entry, the graph skipped by its length.
void BM_ScanHeader(benchmark::State& state) {
  for (auto _ : state) {
    modelexport::format::OnnxFile f(g_model);
    benchmark::DoNotOptimize(f.header().metadata_props.size());
  }
}
// The above + indexing our keys and decoding the small ones analyze prints (version, task).
void BM_ReadMetadata(benchmark::State& state) {
  for (auto _ : state) {
    modelexport::format::OnnxFile f(g_model);
    auto m = modelexport::metadata::read_metadata(f);
    benchmark::DoNotOptimize(m.get("hf_pipeline_task"));
    benchmark::DoNotOptimize(m.get("hf_metadata_version"));
  }
}
// Decoding every key (inflating compressed values such as tokenizer.json): what unpack/validate pay.
void BM_ReadMetadataDecodeAll(benchmark::State& state) {
  for (auto _ : state) {
    modelexport::format::OnnxFile f(g_model);
    auto m = modelexport::metadata::read_metadata(f);
    for (const auto& [key, e] : m.entries) benchmark::DoNotOptimize(m.value(key).size());
  }
}
// Inputs/outputs/external data: walks the graph's field headers, no tensor data.
void BM_GraphSummary(benchmark::State& state) {
  for (auto _ : state) {
    modelexport::format::OnnxFile f(g_model);
    benchmark::DoNotOptimize(f.graph().inputs.size());
  }
}
BENCHMARK(BM_ScanHeader)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadMetadata)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadMetadataDecodeAll)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GraphSummary)->Unit(benchmark::kMicrosecond);
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--model=", 8) == 0) g_model = argv[i] + 8;
  if (g_model.empty()) {
    std::fprintf(stderr, "usage: %s --model=PATH [benchmark flags]\n", argv[0]);
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
