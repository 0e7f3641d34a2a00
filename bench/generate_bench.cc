// Decoder-only generation speed and memory: ours (DecoderModel + the generation loop) and a bare ONNX
// Runtime greedy loop on the same session (Ort::IoBinding each step, ORT-allocated outputs, present
// OrtValues bound as the next past, argmax only, no processors) for the per-token overhead.
//   bench_generate MODEL.onnx PROMPT_TOKENS NEW_TOKENS BATCH [ours | bare]
//   bench_generate MODEL.onnx PROMPT_TOKENS NEW_TOKENS BATCH pair ROUNDS   (both, alternating, one process)
//   environment: INTRA_OP_THREADS=N (ORT's intra-op threads; 0 or unset: ORT's default),
//                ORT_SPINNING=0|1 (session.intra_op.allow_spinning; unset: ONNX Runtime's default,
//                spinning, which the text-generation pipeline keeps), EXACT_INT8=0|1
//                (SessionOptions::exact_int8_matmul; default 1),
//                WARMUP=0|1 (default 1: first one discarded generation of each loop the mode runs),
//                CALLGRIND_SPAN=decode|ttft (what callgrind counts, see `counting`; default decode)
// Prints one JSON line per run: time to first token (the prompt step and the first token's choice:
// from generate()'s call to the second step's start), prefill tokens/s (prompt tokens × batch / that),
// decode tokens/s (new tokens after the first × batch / their time: from the second step's start to
// generate()'s return, so the processors, argmax and stopping checks count), ms per step and, of it,
// the time outside the model's step (loop_ms_per_step: processors, argmax, stopping), peak RSS;
// beside each wall time the process's CPU time over the same span (CLOCK_PROCESS_CPUTIME_ID, every
// thread: with INTRA_OP_THREADS=1 a figure the machine's load barely moves).
// The warm-up runs (phase "warmup") pay the session's first-run costs (ONNX Runtime's arena growth
// and its per-input-shape memory plans) so that neither loop measured after them is charged for
// them; without it, the loop that runs first in the process pays for both.
// Greedy, eos suppressed by min_new_tokens so every run generates NEW_TOKENS.
#include <onnxruntime_cxx_api.h>
#include <sys/resource.h>

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>  // bench/generate_instructions.sh: count the measured decode steps only
#define MEASURED_BEGIN()                           \
  do {                                             \
    if (counting) CALLGRIND_START_INSTRUMENTATION; \
  } while (0)
#define MEASURED_END()                            \
  do {                                            \
    if (counting) CALLGRIND_STOP_INSTRUMENTATION; \
  } while (0)
#else
#define MEASURED_BEGIN() \
  do {                   \
  } while (0)
#define MEASURED_END() \
  do {                 \
  } while (0)
#endif

#include "modelexport/metadata/model_files.h"
#include "runtime/auto_model_access.h"
#include "runtime/generation/decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/sampler.h"

using namespace modelexport::runtime;
using Clock = std::chrono::steady_clock;

namespace {

// True in the measured runs (not the warm-up): under callgrind --instr-atstart=no only their decode
// steps (the second step's start to generate()'s return, the same span as the decode time) count,
// or with CALLGRIND_SPAN=ttft the span of the time to first token instead.
bool counting = false;
bool count_ttft = false;

// Seconds of CPU time the process has used, every thread.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double now_seconds() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Wraps the runner to time the generation: the time to first token runs from generate()'s call to
// the second step's start (the prompt step and the first token's processors, argmax and stopping
// checks), the decode from there to generate()'s return; `later_` is the model's share of the latter.
class Timed final : public generation::StepModel {
 public:
  explicit Timed(generation::StepModel& m) : m_(m) {}
  size_t vocab_size() const override { return m_.vocab_size(); }
  void step(const std::vector<std::vector<int64_t>>& t, std::vector<float>& logits) override {
    const double t0 = now_seconds();
    if (steps_ == 1) {
      if (count_ttft) MEASURED_END();
      else MEASURED_BEGIN();
      second_start_ = t0, second_cpu_start_ = cpu_seconds();
    }
    m_.step(t, logits);
    if (steps_++ > 0) later_ += now_seconds() - t0;
  }
  void select_rows(const std::vector<size_t>& rows) override { m_.select_rows(rows); }
  double later_ = 0;  // the model's time in every step after the first
  double second_start_ = 0, second_cpu_start_ = 0;
  size_t steps_ = 0;

 private:
  generation::StepModel& m_;
};

struct Times {
  double first = 0, rest = 0;          // the prompt step; every later step (wall)
  double first_cpu = 0, rest_cpu = 0;  // the same spans' CPU time (the process, every thread)
  double loop = 0;                     // of `rest`, the wall time outside the model's step (ours)
};

// Ours: DecoderModel under generate(), greedy, eos suppressed by min_new_tokens.
Times run_ours(const AutoModel& session, const generation::DecoderModel::Settings& settings,
               const std::string& generation_json, const std::string& config_json,
               const std::vector<std::vector<int64_t>>& prompts, size_t fresh) {
  generation::DecoderModel decoder(session, settings);
  Timed timed(decoder);
  GenerationOptions o;
  o.max_new_tokens = static_cast<int64_t>(fresh);
  o.min_new_tokens = static_cast<int64_t>(fresh);
  auto config = generation::GenerationConfig::resolve(generation_json, config_json, "text-generation", o);
  decoder.reserve(prompts.size(), prompts[0].size() + fresh);
  if (count_ttft) MEASURED_BEGIN();
  const double start = now_seconds(), start_cpu = cpu_seconds();
  generation::generate(timed, prompts, config);
  const double end = now_seconds(), end_cpu = cpu_seconds();
  if (!count_ttft) MEASURED_END();
  Times t;
  t.first = timed.second_start_ - start;
  t.first_cpu = timed.second_cpu_start_ - start_cpu;
  t.rest = end - timed.second_start_;
  t.rest_cpu = end_cpu - timed.second_cpu_start_;
  t.loop = t.rest - timed.later_;
  return t;
}

// The bare loop: every input an OrtValue, present values become the next past values.
Times run_bare(const AutoModel& session, const std::vector<std::vector<int64_t>>& prompts, size_t fresh) {
  const size_t batch = prompts.size(), prompt = prompts[0].size();
  Ort::Session& s = AutoModelAccess::session(session);
  Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<std::string> in_names, out_names;
  for (const auto& i : session.inputs()) in_names.push_back(i.name);
  for (const auto& o : session.outputs()) out_names.push_back(o.name);
  std::vector<const char*> in_c, out_c;
  for (auto& n : in_names) in_c.push_back(n.c_str());
  for (auto& n : out_names) out_c.push_back(n.c_str());
  std::vector<Ort::Value> past;
  size_t total = 0;
  std::vector<int64_t> ids, mask, pos;
  for (const auto& p : prompts) ids.insert(ids.end(), p.begin(), p.end());
  Times t;
  for (size_t step = 0; step < fresh; ++step) {
    if (step == 0 && count_ttft) MEASURED_BEGIN();
    if (step == 1) {
      if (count_ttft) MEASURED_END();
      else MEASURED_BEGIN();
    }
    const double t0 = now_seconds(), c0 = cpu_seconds();
    const size_t n = step == 0 ? prompt : 1;
    total += n;
    mask.assign(batch * total, 1);
    pos.clear();
    for (size_t r = 0; r < batch; ++r)
      for (size_t k = 0; k < n; ++k) pos.push_back(static_cast<int64_t>(total - n + k));
    std::vector<Ort::Value> values;
    size_t past_index = 0;
    for (const auto& d : session.inputs()) {
      if (d.name == "input_ids") {
        int64_t shape[2] = {static_cast<int64_t>(batch), static_cast<int64_t>(n)};
        values.push_back(Ort::Value::CreateTensor<int64_t>(cpu, ids.data(), ids.size(), shape, 2));
      } else if (d.name == "attention_mask") {
        int64_t shape[2] = {static_cast<int64_t>(batch), static_cast<int64_t>(total)};
        values.push_back(Ort::Value::CreateTensor<int64_t>(cpu, mask.data(), mask.size(), shape, 2));
      } else if (d.name == "position_ids") {
        int64_t shape[2] = {static_cast<int64_t>(batch), static_cast<int64_t>(n)};
        values.push_back(Ort::Value::CreateTensor<int64_t>(cpu, pos.data(), pos.size(), shape, 2));
      } else if (d.name == "num_logits_to_keep" || d.name == "logits_to_keep") {
        int64_t one[1] = {1};
        std::vector<int64_t> shape(d.shape.size(), 1);
        values.push_back(Ort::Value::CreateTensor<int64_t>(cpu, one, 1, shape.data(), shape.size()));
      } else if (step == 0) {
        std::vector<int64_t> shape = d.shape;
        shape[0] = static_cast<int64_t>(batch);
        shape[2] = 0;
        Ort::AllocatorWithDefaultOptions alloc;
        values.push_back(Ort::Value::CreateTensor<float>(alloc, shape.data(), shape.size()));
      } else {
        values.push_back(std::move(past[past_index++]));
      }
    }
    Ort::IoBinding binding(s);
    for (size_t k = 0; k < values.size(); ++k) binding.BindInput(in_c[k], values[k]);
    for (const char* o : out_c) binding.BindOutput(o, cpu);
    s.Run(Ort::RunOptions{nullptr}, binding);
    auto outs = binding.GetOutputValues();
    const float* logits = outs[0].GetTensorData<float>();
    auto shape = outs[0].GetTensorTypeAndShapeInfo().GetShape();
    const size_t vocab = static_cast<size_t>(shape[2]), positions = static_cast<size_t>(shape[1]);
    ids.clear();
    for (size_t r = 0; r < batch; ++r)
      ids.push_back(static_cast<int64_t>(
          generation::argmax(std::span<const float>(logits + ((r + 1) * positions - 1) * vocab, vocab))));
    past.clear();
    for (size_t k = 1; k < outs.size(); ++k) past.push_back(std::move(outs[k]));
    const double sec = now_seconds() - t0, cpu = cpu_seconds() - c0;
    if (step == 0) t.first = sec, t.first_cpu = cpu;
    else t.rest += sec, t.rest_cpu += cpu;
  }
  if (!count_ttft) MEASURED_END();
  return t;
}

void print(const char* impl, const char* phase, int threads, size_t batch, size_t prompt, size_t fresh, const Times& t,
           double wall) {
  std::cout << "{\"impl\":\"" << impl << "\",\"phase\":\"" << phase << "\",\"threads\":" << threads
            << ",\"batch\":" << batch << ",\"prompt\":" << prompt << ",\"new_tokens\":" << fresh
            << ",\"prefill_tok_s\":" << (prompt * batch) / t.first << ",\"ttft_ms\":" << t.first * 1000
            << ",\"ttft_cpu_ms\":" << t.first_cpu * 1000 << ",\"decode_tok_s\":" << ((fresh - 1) * batch) / t.rest
            << ",\"ms_per_step\":" << t.rest * 1000 / (fresh - 1)
            << ",\"cpu_ms_per_step\":" << t.rest_cpu * 1000 / (fresh - 1)
            << ",\"loop_ms_per_step\":" << t.loop * 1000 / (fresh - 1) << ",\"wall_s\":" << wall
            << ",\"peak_rss_mb\":" << peak_rss_mb() << "}" << std::endl;
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: bench_generate MODEL.onnx PROMPT_TOKENS NEW_TOKENS BATCH [ours | bare | pair ROUNDS]\n";
    return 2;
  }
  const std::string path = argv[1];
  const size_t prompt = std::stoul(argv[2]), fresh = std::stoul(argv[3]), batch = std::stoul(argv[4]);
  const std::string mode = argc > 5 ? argv[5] : "";
  const size_t pairs = mode == "pair" && argc > 6 ? std::stoul(argv[6]) : 1;
  if (fresh < 2) {
    std::cerr << "bench_generate: NEW_TOKENS must be at least 2 (the decode rate needs a step after the first)\n";
    return 2;
  }
  if (!mode.empty() && mode != "ours" && mode != "bare" && mode != "pair") {
    std::cerr << "bench_generate: unknown mode '" << mode << "'; expected ours, bare or pair ROUNDS\n";
    return 2;
  }
  SessionOptions options;
  options.intra_op_threads = env_int("INTRA_OP_THREADS", 0);
  if (const char* spin = std::getenv("ORT_SPINNING")) options.intra_op_spinning = std::string(spin) != "0";
  if (const char* exact = std::getenv("EXACT_INT8")) options.exact_int8_matmul = std::string(exact) != "0";
  const bool warmup = env_int("WARMUP", 1) != 0;
  count_ttft = std::getenv("CALLGRIND_SPAN") && std::string(std::getenv("CALLGRIND_SPAN")) == "ttft";
  AutoModel session = AutoModel::from_model(path, options);
  auto files = modelexport::metadata::ModelFiles::from_model(path);
  auto text = [&](const char* f) { return files.get(f) ? *files.get(f) : std::string(); };
  auto settings = generation::DecoderModel::Settings::from_configs(text("config.json"), text("genai_config.json"));
  std::vector<std::vector<int64_t>> prompts(batch);
  for (size_t r = 0; r < batch; ++r)
    for (size_t k = 0; k < prompt; ++k) prompts[r].push_back(static_cast<int64_t>(100 + (k * 7 + r * 13) % 5000));
  const int threads = options.intra_op_threads;
  const char* phase = "measured";
  auto ours = [&] {
    auto t0 = Clock::now();
    Times t = run_ours(session, settings, text("generation_config.json"), text("config.json"), prompts, fresh);
    print("modelexport", phase, threads, batch, prompt, fresh, t,
          std::chrono::duration<double>(Clock::now() - t0).count());
  };
  auto bare = [&] {
    auto t0 = Clock::now();
    Times t = run_bare(session, prompts, fresh);
    print("bare-ort", phase, threads, batch, prompt, fresh, t,
          std::chrono::duration<double>(Clock::now() - t0).count());
  };
  if (warmup) {
    phase = "warmup";
    if (mode != "bare") ours();
    if (mode == "bare" || mode == "pair") bare();
    phase = "measured";
  }
  counting = true;
  if (mode == "pair") {
    // Both loops in one process on one session, alternating (the order swapped every round), so the
    // machine's load and the session's warm-up fall on both alike.
    for (size_t k = 0; k < pairs; ++k) {
      if (k % 2 == 0) ours(), bare();
      else bare(), ours();
    }
  } else if (mode == "bare") {
    bare();
  } else {
    ours();
  }
  return 0;
}
