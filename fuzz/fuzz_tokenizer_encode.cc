// libFuzzer target: encode/decode of arbitrary text (bytes that may not be UTF-8) with real
// tokenizers of each model kind: the fixtures in tests/fixtures/tokenizers plus the tiny classifier's
// WordPiece. The first input byte picks the tokenizer; the rest is the text, and its bytes reread as
// little-endian int32 ids are decoded (ids out of the vocabulary included).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "fuzz_support.h"
#include "modelexport/processors/tokenizer.h"

namespace {

std::vector<modelexport::processors::Tokenizer> load_fixtures() {
  namespace fs = std::filesystem;
  std::vector<modelexport::processors::Tokenizer> out;
  const fs::path root = MODELEXPORT_FIXTURES_DIR;
  std::vector<fs::path> files;
  for (const auto& dir : fs::directory_iterator(root / "tokenizers")) files.push_back(dir.path() / "tokenizer.json");
  files.push_back(root / "tiny-text-classifier" / "tokenizer.json");
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out.push_back(modelexport::processors::Tokenizer::from_json(s.str()));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  static const std::vector<processors::Tokenizer> tokenizers = load_fixtures();
  if (size == 0 || tokenizers.empty()) return 0;
  const processors::Tokenizer& tok = tokenizers[data[0] % tokenizers.size()];
  const std::string_view text = fuzz::as_view(data + 1, size - 1);
  fuzz::expect_contract([&] {
    processors::Encoding e = tok.encode(text);
    (void)tok.decode(e.ids, true);
    auto [first, second] = fuzz::split_once(text, "\x1f");
    (void)tok.encode_pair(first, second);
  });
  std::vector<int32_t> ids((size - 1) / 4);
  if (!ids.empty()) std::memcpy(ids.data(), data + 1, ids.size() * 4);
  fuzz::expect_contract([&] {
    (void)tok.decode(ids, false);
    (void)tok.decode(ids, true);
  });
  return 0;
}
