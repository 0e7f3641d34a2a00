// Streaming text as Python transformers' TextStreamer emits it (transformers v4.57
// src/transformers/generation/streamers.py): tokens are cached and decoded together; when the text
// ends with "\n" it is all emitted and the cache restarts; when it ends with a CJK character it is
// emitted up to the end; otherwise up to and including the last space. end() emits the rest.
// skip_prompt drops the first put() (the prompt); special tokens are the decoder's business
// (skip_special_tokens is a decode option).
//
//   TextStreamer s([&](std::span<const int64_t> ids) { return tok.decode(ids, true); },
//                  [](std::string_view piece) { std::cout << piece << std::flush; }, /*skip_prompt=*/true);
//   generate(model, prompts, config, &s);   // batch 1, one sequence: Python streams only that
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/generation/stopping_criteria.h"

namespace modelexport::runtime::generation {

// What the generation loop calls: put(prompt) once, then put(tokens) per step, then end().
class Streamer {
 public:
  virtual ~Streamer() = default;
  virtual void put(std::span<const int64_t> tokens) = 0;
  virtual void end() = 0;
};

class TextStreamer final : public Streamer {
 public:
  using TextCallback = std::function<void(std::string_view piece)>;
  TextStreamer(Detokenizer decode, TextCallback on_text, bool skip_prompt = true);
  void put(std::span<const int64_t> tokens) override;
  void end() override;

 private:
  Detokenizer decode_;
  TextCallback on_text_;
  bool skip_prompt_, next_is_prompt_ = true;
  std::vector<int64_t> cache_;
  size_t printed_ = 0;  // bytes of decode(cache_) already emitted
};

// Python's _is_chinese_char: the CJK Unified Ideographs blocks and their extensions/compatibility blocks.
bool is_cjk_codepoint(char32_t cp);

}  // namespace modelexport::runtime::generation
