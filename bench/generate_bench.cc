// Decoder-only generation speed and memory: ours (DecoderModel + the generation loop) and a bare ONNX
// Runtime greedy loop on the same session (Ort::IoBinding each step, ORT-allocated outputs, present
// OrtValues bound as the next past, argmax only, no processors) for the per-token overhead.
//   bench_generate MODEL.onnx PROMPT_TOKENS NEW_TOKENS BATCH [bare]
// Prints one JSON line: prefill tokens/s (prompt tokens × batch / first step), time to first token,
// decode tokens/s (new tokens after the first × batch / their time: from the first step's end to the
// end of generate(), so the processors, sampler and stopping checks count), peak RSS. Greedy, eos
// suppressed by min_new_tokens so every run generates NEW_TOKENS.
#include <onnxruntime_cxx_api.h>
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <string>

#include "modelexport/metadata/model_files.h"
#include "runtime/auto_model_access.h"
#include "runtime/generation/decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/sampler.h"

using namespace modelexport::runtime;
using Clock = std::chrono::steady_clock;

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Wraps the runner to time its first step (prefill → first token's logits) and the rest.
class Timed final : public generation::StepModel {
 public:
  explicit Timed(generation::StepModel& m) : m_(m) {}
  size_t vocab_size() const override { return m_.vocab_size(); }
  void step(const std::vector<std::vector<int64_t>>& t, std::vector<float>& logits) override {
    auto t0 = Clock::now();
    m_.step(t, logits);
    if (steps_++ == 0) {
      first_ = std::chrono::duration<double>(Clock::now() - t0).count();
      first_end_ = Clock::now();
    }
  }
  void select_rows(const std::vector<size_t>& rows) override { m_.select_rows(rows); }
  double first_ = 0;
  Clock::time_point first_end_;
  size_t steps_ = 0;

 private:
  generation::StepModel& m_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: bench_generate MODEL.onnx PROMPT_TOKENS NEW_TOKENS BATCH [bare]\n";
    return 2;
  }
  const std::string path = argv[1];
  const size_t prompt = std::stoul(argv[2]), fresh = std::stoul(argv[3]), batch = std::stoul(argv[4]);
  const bool bare = argc > 5 && std::string(argv[5]) == "bare";
  AutoModel session = AutoModel::from_model(path, {});
  auto files = modelexport::metadata::ModelFiles::from_model(path);
  auto text = [&](const char* f) { return files.get(f) ? *files.get(f) : std::string(); };
  auto settings = generation::DecoderModel::Settings::from_configs(text("config.json"), text("genai_config.json"));
  std::vector<std::vector<int64_t>> prompts(batch);
  for (size_t r = 0; r < batch; ++r)
    for (size_t k = 0; k < prompt; ++k) prompts[r].push_back(static_cast<int64_t>(100 + (k * 7 + r * 13) % 5000));
  double first = 0, rest = 0;
  auto t_start = Clock::now();
  if (!bare) {
    generation::DecoderModel decoder(session, settings);
    Timed timed(decoder);
    GenerationOptions o;
    o.max_new_tokens = static_cast<int64_t>(fresh);
    o.min_new_tokens = static_cast<int64_t>(fresh);
    auto config = generation::GenerationConfig::resolve(text("generation_config.json"), text("config.json"),
                                                        "text-generation", o);
    decoder.reserve(batch, prompt + fresh);
    generation::generate(timed, prompts, config);
    first = timed.first_;
    rest = std::chrono::duration<double>(Clock::now() - timed.first_end_).count();
  } else {
    // The bare loop: every input an OrtValue, present values become the next past values.
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
    for (size_t step = 0; step < fresh; ++step) {
      auto t0 = Clock::now();
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
      const size_t vocab = static_cast<size_t>(outs[0].GetTensorTypeAndShapeInfo().GetShape()[2]);
      ids.clear();
      for (size_t r = 0; r < batch; ++r)
        ids.push_back(static_cast<int64_t>(
            generation::argmax(std::span<const float>(logits + ((r + 1) * n - 1) * vocab, vocab))));
      past.clear();
      for (size_t k = 1; k < outs.size(); ++k) past.push_back(std::move(outs[k]));
      double sec = std::chrono::duration<double>(Clock::now() - t0).count();
      if (step == 0) first = sec;
      else rest += sec;
    }
  }
  double wall = std::chrono::duration<double>(Clock::now() - t_start).count();
  std::cout << "{\"impl\":\"" << (bare ? "bare-ort" : "modelexport") << "\",\"batch\":" << batch
            << ",\"prompt\":" << prompt << ",\"new_tokens\":" << fresh
            << ",\"prefill_tok_s\":" << (prompt * batch) / first << ",\"ttft_ms\":" << first * 1000
            << ",\"decode_tok_s\":" << ((fresh - 1) * batch) / rest << ",\"ms_per_step\":" << rest * 1000 / (fresh - 1)
            << ",\"wall_s\":" << wall << ",\"peak_rss_mb\":" << peak_rss_mb() << "}\n";
  return 0;
}
