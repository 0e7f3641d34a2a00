// libFuzzer target: the slow-tokenizer fallbacks (processors/tokenizer.h from_legacy): a
// SentencePiece .model (protobuf), vocab.txt, vocab.json + merges.txt. The first byte picks the
// format; for vocab.json + merges.txt the rest is split at the first 0x1f byte.
#include "fuzz_support.h"
#include "modelexport/processors/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size == 0 || size > (1u << 20)) return 0;
  const std::string_view body = fuzz::as_view(data + 1, size - 1);
  processors::LegacyTokenizerFiles files;
  switch (data[0] % 3) {
    case 0: files.sentencepiece_model = std::string(body); break;
    case 1: files.vocab_txt = std::string(body); break;
    default: {
      auto [vocab, merges] = fuzz::split_once(body, "\x1f");
      files.vocab_json = std::string(vocab);
      files.merges_txt = std::string(merges);
    }
  }
  fuzz::expect_contract([&] {
    processors::Tokenizer tok = processors::Tokenizer::from_legacy(files);
    processors::Encoding e = tok.encode("Hello world! déjà 東京");
    (void)tok.decode(e.ids);
  });
  return 0;
}
