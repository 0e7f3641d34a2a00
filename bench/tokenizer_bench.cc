// Single-thread encode throughput and load time of our tokenizer on the corpus texts; prints one
// JSON line per tokenizer. The Hugging Face side is bench/hf_tokenizer_bench.mjs; bench/tokenizers.sh
// runs both in the same invocation.
//   bench_tokenizer TOKENIZER.json TEXTS.jsonl [RUNS]
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <optional>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelexport/common/files.h"
#include "modelexport/processors/tokenizer.h"

using Clock = std::chrono::steady_clock;

static long max_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER.json TEXTS.jsonl [RUNS]\n", argv[0]);
    return 2;
  }
  int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  std::vector<std::string> texts;
  size_t bytes = 0;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    texts.push_back(nlohmann::json::parse(line)["text"].get<std::string>());
    bytes += texts.back().size();
  }
  std::string json = modelexport::read_file(argv[1]);
  long rss_before = max_rss_kb();
  std::vector<double> load_ms;
  std::optional<modelexport::processors::Tokenizer> tok;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    tok = modelexport::processors::Tokenizer::from_json(json);
    load_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  long rss_after = max_rss_kb();
  // Heap bytes the loaded tokenizer holds: in use with it alive minus in use without it.
  auto in_use = [] { auto m = mallinfo2(); return m.uordblks + m.hblkhd; };  // small + mmapped blocks
  size_t with_tok = in_use();
  tok.reset();
  size_t without_tok = in_use();
  tok = modelexport::processors::Tokenizer::from_json(json);
  std::vector<double> secs;
  uint64_t checksum = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    for (const auto& t : texts) {
      auto ids = tok->encode(t, true).ids;
      if (r == 0)
        for (int32_t id : ids) checksum = checksum * 31 + static_cast<uint64_t>(id);
    }
    secs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  std::sort(load_ms.begin(), load_ms.end());
  double med = secs[secs.size() / 2];
  // encode_batch on 1 and 2 threads (median of runs): how batch encoding scales.
  auto batch_median = [&](size_t threads) {
    std::vector<double> b;
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      auto out = tok->encode_batch(texts, true, threads);
      b.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(b.begin(), b.end());
    return b[b.size() / 2];
  };
  double batch1 = batch_median(1), batch2 = batch_median(2);
  std::printf("{\"impl\":\"modelexport\",\"texts\":%zu,\"bytes\":%zu,\"median_s\":%.4f,\"mb_per_s\":%.2f,\"load_ms\":%.2f,"
              "\"json_bytes\":%zu,\"held_bytes\":%zu,\"load_rss_delta_kb\":%ld,\"batch1_s\":%.4f,\"batch2_s\":%.4f,\"checksum\":%llu}\n",
              texts.size(), bytes, med, static_cast<double>(bytes) / 1e6 / med, load_ms[load_ms.size() / 2], json.size(),
              with_tok - without_tok,
              rss_after - rss_before, batch1, batch2, static_cast<unsigned long long>(checksum));
  return 0;
}
