// Pipeline benchmarks (bench/pipelines.sh runs them; results in docs/benchmarks.md). Prints one JSON line.
//
//   bench_pipeline overhead MODEL.onnx ITER [POOLING]  batch 1, a text of exactly 128 tokens: the pipeline
//                                                end to end vs bare Ort::Session::Run on the same
//                                                prepared tensors, runs interleaved; medians
//   bench_pipeline creation MODEL.onnx           pipeline creation without the ORT session, processor
//                                                heap held (mallinfo2) and RSS growth
//   bench_pipeline texts MODEL.onnx TEXTS.jsonl BATCH ITER [--pooling P]
//                                                median ms per pipeline call on the texts in batches
#include <malloc.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "modelexport/runtime/pipeline.h"

using namespace modelexport;
using namespace modelexport::runtime;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

long rss_kb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// A text of exactly `tokens` tokens with special tokens.
std::string text_of_length(const AutoProcessor& p, size_t tokens) {
  const char* words[] = {"the", "model", "runs", "fast", "and", "well", "on", "small", "machines", "today"};
  std::string text;
  processors::Tokenizer tok = p.tokenizer();
  tok.set_truncation(std::nullopt);
  for (size_t i = 0; tok.encode(text).ids.size() < tokens; ++i) text += std::string(text.empty() ? "" : " ") + words[i % 10];
  if (tok.encode(text).ids.size() != tokens) throw std::runtime_error("could not build a text of the asked length");
  return text;
}

int overhead(const std::string& model_path, int iterations, const std::string& pooling) {
  auto pipe = pipeline(model_path);
  std::string text = text_of_length(pipe->processor(), 128);
  auto enc = pipe->processor().encode({text});
  auto inputs = pipe->processor().to_inputs({&enc[0]});

  // Bare ORT on the same prepared tensors, its own session with the same (default) options.
  Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "bench");
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
  Ort::Session session(env, model_path.c_str(), so);
  Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<const char*> in_names;
  std::vector<Ort::Value> values;
  for (auto& [name, t] : inputs) {
    in_names.push_back(name.c_str());
    values.push_back(Ort::Value::CreateTensor<int64_t>(mem, t.i64.data(), t.i64.size(), t.shape.data(), t.shape.size()));
  }
  std::vector<std::string> outs;
  for (const auto& o : pipe->model().outputs()) outs.push_back(o.name);
  std::vector<const char*> out_names;
  for (const auto& o : outs) out_names.push_back(o.c_str());

  std::vector<double> bare, full;
  std::vector<PipelineInput> one = {{.text = text}};
  PipelineOptions o;
  o.pooling = pooling;
  for (int i = 0; i < 3; ++i) {  // warm-up
    session.Run(Ort::RunOptions{nullptr}, in_names.data(), values.data(), values.size(), out_names.data(), out_names.size());
    pipe->run(one, o);
  }
  for (int i = 0; i < iterations; ++i) {
    auto t = Clock::now();
    session.Run(Ort::RunOptions{nullptr}, in_names.data(), values.data(), values.size(), out_names.data(), out_names.size());
    bare.push_back(ms_since(t));
    t = Clock::now();
    pipe->run(one, o);
    full.push_back(ms_since(t));
  }
  Json out = {{"task", pipe->task()}, {"tokens", enc[0].ids.size()}, {"bare_ms", median(bare)}, {"pipeline_ms", median(full)},
              {"ratio", median(full) / median(bare)}, {"iterations", iterations}};
  std::cout << out.dump() << "\n";
  return 0;
}

int creation(const std::string& model_path) {
  auto t = Clock::now();
  AutoModel model = AutoModel::from_model(model_path, {});
  double session_ms = ms_since(t);
  std::string task = pipeline(model_path)->task();
  struct mallinfo2 before = mallinfo2();
  long rss_before = rss_kb();
  t = Clock::now();
  AutoProcessor processor = AutoProcessor::from_model(model_path, model.inputs());
  double processor_ms = ms_since(t);
  struct mallinfo2 after = mallinfo2();
  long rss_after = rss_kb();
  size_t vocab = processor.tokenizer().vocab_size();
  t = Clock::now();
  auto pipe = pipeline(std::move(model), std::move(processor), task);
  double pipeline_ms = processor_ms + ms_since(t);
  Json out = {{"session_ms", session_ms},
              {"processor_ms", processor_ms},
              {"pipeline_without_session_ms", pipeline_ms},
              {"processor_heap_mb", static_cast<double>(after.uordblks - before.uordblks) / 1e6},
              {"processor_rss_mb", static_cast<double>(rss_after - rss_before) / 1e3},
              {"vocab", vocab}};
  std::cout << out.dump() << "\n";
  return 0;
}

int texts(const std::string& model_path, const std::string& file, size_t batch, int iterations, const std::string& pooling) {
  std::vector<PipelineInput> all;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back({.text = parse_json_object(line, file)["text"].get<std::string>()});
  SessionOptions so;
  if (const char* t = std::getenv("BENCH_THREADS")) so.intra_op_threads = std::atoi(t);
  auto pipe = pipeline(model_path, "", so);
  PipelineOptions o;
  o.pooling = pooling;
  if (!pooling.empty()) o.normalize = true;
  std::vector<double> times;
  for (int it = -1; it < iterations; ++it)
    for (size_t first = 0; first < all.size(); first += batch) {
      std::vector<PipelineInput> chunk(all.begin() + first, all.begin() + std::min(all.size(), first + batch));
      auto t = Clock::now();
      pipe->run(chunk, o);
      if (it >= 0) times.push_back(ms_since(t));  // iteration -1 warms up
    }
  std::cout << Json({{"batch", batch}, {"calls", times.size()}, {"median_ms", median(times)}}).dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() >= 3 && a[0] == "overhead") return overhead(a[1], std::stoi(a[2]), a.size() >= 4 ? a[3] : "");
    if (a.size() >= 2 && a[0] == "creation") return creation(a[1]);
    if (a.size() >= 5 && a[0] == "texts") return texts(a[1], a[2], std::stoul(a[3]), std::stoi(a[4]), a.size() >= 7 ? a[6] : "");
    std::cerr << "usage: bench_pipeline overhead MODEL ITER | creation MODEL | texts MODEL TEXTS.jsonl BATCH ITER [--pooling P]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bench_pipeline: " << e.what() << "\n";
    return 1;
  }
}
