// The per-step model the generation loop drives: what an ONNX Runtime runner (decoder-only with a KV
// cache, encoder-decoder with a cross-attention cache, a toy model in tests) implements. The loop
// owns the token bookkeeping and decoding rules; the runner owns tensors, caches, attention masks and
// position ids.
//
// Calls, in order, for one generate():
//   step(prompts)            rows = batch items; new_tokens[r] = the whole prompt of item r (for an
//                            encoder-decoder model the decoder prompt, e.g. {decoder_start_token_id};
//                            the runner encodes its encoder input before that)
//   select_rows(expansion)   e.g. {0,0,0,1,1,1} for 2 items × 3 beams (or × num_return_sequences);
//                            skipped when every item has one row
//   step(next tokens)        new_tokens[r] = the one token appended to row r since the last step
//   select_rows(order)       beam reorder / rows dropped because they finished; repeated as needed
// Rows are always in the order of the last select_rows (or of the prompts).
//
// Not thread-safe: one generate() at a time per StepModel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace modelexport::runtime::generation {

class StepModel {
 public:
  virtual ~StepModel() = default;
  // Width of a logits row (may exceed the tokenizer's vocabulary, e.g. padded embeddings).
  virtual size_t vocab_size() const = 0;
  // Runs the model on the tokens appended to each row since the previous call and writes the logits
  // of each row's last position into `logits`, resized to [new_tokens.size() * vocab_size()] (row
  // major, float32). Throws modelexport::RuntimeError when the model fails.
  virtual void step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) = 0;
  // Keeps the current rows listed in `rows`, in that order; an index may repeat (beam reorder and
  // expansion) and rows not listed are dropped (finished). Called only after step().
  virtual void select_rows(const std::vector<size_t>& rows) = 0;
};

}  // namespace modelexport::runtime::generation
