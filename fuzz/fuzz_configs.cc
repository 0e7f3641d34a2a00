// libFuzzer target: the JSON configs every command reads: config.json (task detection,
// metadata/task.h) and tokenizer_config.json + special_tokens_map.json (processors/tokenizer_config.h).
// The input is split at the first 0x1f byte into the two tokenizer documents.
#include "fuzz_support.h"
#include "modelexport/metadata/task.h"
#include "modelexport/processors/tokenizer_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  const std::string_view in = fuzz::as_view(data, size);
  fuzz::expect_contract([&] { (void)metadata::detect_task(in); });
  fuzz::expect_contract([&] { (void)metadata::model_card_pipeline_tag(in); });
  const auto documents = fuzz::split_once(in, "\x1f");  // tokenizer_config.json, special_tokens_map.json
  fuzz::expect_contract([&] { (void)processors::TokenizerConfig::parse(documents.first, documents.second); });
  return 0;
}
