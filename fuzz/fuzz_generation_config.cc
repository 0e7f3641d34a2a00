// libFuzzer target: generation settings (runtime/generation/generation_config.h): generation_config.json
// and config.json (its generation keys and task_specific_params) resolved for a task, as every
// generation pipeline does before its first step. The input is split at the first 0x1f byte into the
// two documents; its first byte picks the task.
#include "fuzz_support.h"
#include "runtime/generation/generation_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size == 0 || size > (1u << 20)) return 0;
  static const char* kTasks[] = {"", "text-generation", "translation_en_to_fr", "summarization",
                                 "text2text-generation"};
  const char* task = kTasks[data[0] % 5];
  // generation_config.json, config.json (not a structured binding: Clang 14's lambdas cannot capture one)
  const auto documents = fuzz::split_once(fuzz::as_view(data + 1, size - 1), "\x1f");
  fuzz::expect_contract([&] {
    runtime::GenerationOptions none;
    auto c = runtime::generation::GenerationConfig::resolve(documents.first, documents.second, task, none);
    (void)c.mode();
    (void)c.max_length_for(7);
  });
  return 0;
}
