// Encoder-decoder generation latency: the text2text-generation pipeline on an encoder-decoder set,
// median ms per call over batches of BATCH texts, MAX_NEW new tokens each (min_new_tokens = max, so
// every call generates the same number of tokens), NUM_BEAMS beams.
//   bench_seq2seq SET_DIR TEXTS.jsonl BATCH ITER MAX_NEW [NUM_BEAMS]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "common/json_util.h"
#include "modelexport/runtime/pipeline.h"

using namespace modelexport;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: bench_seq2seq SET_DIR TEXTS.jsonl BATCH ITER MAX_NEW [NUM_BEAMS]\n";
    return 2;
  }
  auto pipe = runtime::pipeline(argv[1], "text2text-generation");
  std::vector<runtime::PipelineInput> texts;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) texts.push_back({.text = parse_json(line, argv[2])["text"].get<std::string>()});
  const size_t batch = std::stoul(argv[3]);
  const int iter = std::stoi(argv[4]);
  runtime::PipelineOptions o;
  o.batch_size = batch;
  o.generation.max_new_tokens = o.generation.min_new_tokens = std::stoll(argv[5]);
  o.generation.num_beams = argc > 6 ? std::stoll(argv[6]) : 1;
  o.generation.do_sample = false;
  std::vector<double> times;
  for (int it = -1; it < iter; ++it)
    for (size_t first = 0; first < texts.size(); first += batch) {
      std::vector<runtime::PipelineInput> chunk(texts.begin() + first,
                                                texts.begin() + std::min(texts.size(), first + batch));
      auto t = std::chrono::steady_clock::now();
      pipe->run(chunk, o);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
      if (it >= 0) times.push_back(ms);
    }
  std::sort(times.begin(), times.end());
  std::cout << "{\"batch\":" << batch << ",\"num_beams\":" << *o.generation.num_beams << ",\"calls\":" << times.size()
            << ",\"median_ms\":" << times[times.size() / 2] << "}\n";
}
