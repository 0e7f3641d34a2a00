// libFuzzer target: tokenizer.json loading (processors/tokenizer.h), then encode/decode of fixed
// texts with whatever tokenizer loaded. Inputs over 1 MB are skipped: real tokenizer.json files are
// bigger, but the fuzzer's mutations of a small one reach the same code.
#include <vector>

#include "fuzz_support.h"
#include "modelexport/processors/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size > (1u << 20)) return 0;
  fuzz::expect_contract([&] {
    processors::Tokenizer tok = processors::Tokenizer::from_json(fuzz::as_view(data, size));
    for (std::string_view text : {"Hello world!", "  déjà vu, 東京 🤗 ", "", "a\u0301\tb\n[MASK] <s>"}) {
      processors::Encoding e = tok.encode(text);
      (void)tok.decode(e.ids, true);
      (void)tok.decode(e.ids, false);
      (void)tok.encode_pair(text, "second", true);
    }
  });
  return 0;
}
