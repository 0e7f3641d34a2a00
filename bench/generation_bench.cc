// Per-token cost of the generation core on a 151,936-logit row (Qwen2/SmolLM3-size vocabulary):
// each processor/warper chain as make_logits_processors builds it, plus choosing the token (argmax or a
// draw), on a copy of fixed random logits; the copy itself is measured separately. No model runs.
//   bench/build.sh bench_generation && build/bench/bench_generation [--benchmark_* flags]
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "runtime/generation/generation_config.h"
#include "runtime/generation/logits_processor.h"
#include "runtime/generation/sampler.h"

namespace {

using namespace modelexport::runtime::generation;

constexpr size_t kVocab = 151936;

const std::vector<float>& logits() {
  static const std::vector<float> l = [] {
    std::mt19937_64 rng(7);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> v(kVocab);
    for (float& x : v) x = normal(rng);
    return v;
  }();
  return l;
}

// A 512-token history (prompt + generated) for the history-dependent processors.
const std::vector<int64_t>& history() {
  static const std::vector<int64_t> h = [] {
    std::mt19937_64 rng(11);
    std::vector<int64_t> v(512);
    for (int64_t& t : v) t = static_cast<int64_t>(rng() % 5000);
    return v;
  }();
  return h;
}

void run(benchmark::State& state, const std::string& config_json) {
  GenerationConfig c = GenerationConfig::resolve(config_json, "", "", {});
  LogitsProcessorList list = make_logits_processors(c, kVocab, 256);
  Sampler sampler(1);
  std::vector<float> scores(kVocab);
  RowState row;
  row.ids = history();
  row.cur_len = 512;
  row.prompt_len = 256;
  for (auto _ : state) {
    scores = logits();
    apply_all(list, row, scores);
    benchmark::DoNotOptimize(c.do_sample ? sampler.sample(scores) : argmax(scores));
  }
}

void BM_CopyOnly(benchmark::State& state) {
  std::vector<float> scores(kVocab);
  for (auto _ : state) {
    scores = logits();
    benchmark::DoNotOptimize(scores.data());
  }
}
void BM_Greedy(benchmark::State& state) { run(state, R"({})"); }
void BM_GreedyPenalties(benchmark::State& state) {
  run(state, R"({"repetition_penalty": 1.2, "no_repeat_ngram_size": 3, "min_new_tokens": 4, "eos_token_id": 2})");
}
void BM_SampleTopK50(benchmark::State& state) { run(state, R"({"do_sample": true, "temperature": 0.7})"); }
void BM_SampleTopK50TopP(benchmark::State& state) {
  run(state, R"({"do_sample": true, "temperature": 0.7, "top_p": 0.9})");
}
void BM_SampleTopPOnly(benchmark::State& state) { run(state, R"({"do_sample": true, "top_k": 0, "top_p": 0.9})"); }
void BM_SampleMinP(benchmark::State& state) { run(state, R"({"do_sample": true, "top_k": 0, "min_p": 0.05})"); }
void BM_SamplePlain(benchmark::State& state) { run(state, R"({"do_sample": true, "top_k": 0})"); }

BENCHMARK(BM_CopyOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Greedy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GreedyPenalties)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SamplePlain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleTopK50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleTopK50TopP)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleTopPOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleMinP)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
