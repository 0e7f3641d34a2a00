// A StepModel without ONNX Runtime for the generation tests: logits are a hash of each row's whole
// sequence (prompt + generated), the same function as toy_logits in scripts/golden/generation_rules.py,
// so Python's rules and our loop see identical float32 logits. Records what the loop asked for.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/generation/step_model.h"

namespace modelexport::runtime::generation::test {

inline std::vector<float> toy_logits(const std::vector<int64_t>& seq, size_t vocab, uint32_t salt) {
  uint32_t h = salt;
  for (int64_t t : seq) h = h * 1000003u + static_cast<uint32_t>(t) + 1u;
  std::vector<float> out(vocab);
  for (size_t t = 0; t < vocab; ++t) {
    uint32_t x = h ^ (static_cast<uint32_t>(t) * 2654435761u);
    x = x * 2246822519u + 3266489917u;
    x ^= x >> 15;
    out[t] = static_cast<float>(x % 20011u) / 2000.0f;
  }
  return out;
}

class ToyStepModel : public StepModel {
 public:
  ToyStepModel(size_t vocab, uint32_t salt) : vocab_(vocab), salt_(salt) {}
  size_t vocab_size() const override { return vocab_; }
  void step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) override {
    if (rows_.empty()) rows_.resize(new_tokens.size());
    if (new_tokens.size() != rows_.size()) throw std::logic_error("toy model: row count changed without select_rows");
    logits.resize(rows_.size() * vocab_);
    for (size_t r = 0; r < rows_.size(); ++r) {
      rows_[r].insert(rows_[r].end(), new_tokens[r].begin(), new_tokens[r].end());
      std::vector<float> l = logits_of(rows_[r]);
      std::copy(l.begin(), l.end(), logits.begin() + static_cast<ptrdiff_t>(r * vocab_));
    }
    ++steps;
    rows_per_step.push_back(rows_.size());
  }
  void select_rows(const std::vector<size_t>& rows) override {
    std::vector<std::vector<int64_t>> next;
    for (size_t r : rows) next.push_back(rows_.at(r));
    rows_ = std::move(next);
  }
  virtual std::vector<float> logits_of(const std::vector<int64_t>& seq) const { return toy_logits(seq, vocab_, salt_); }

  size_t steps = 0;
  std::vector<size_t> rows_per_step;

 protected:
  size_t vocab_;
  uint32_t salt_;
  std::vector<std::vector<int64_t>> rows_;
};

// Logits that do not depend on the sequence (sampling statistics).
class FixedStepModel : public ToyStepModel {
 public:
  explicit FixedStepModel(std::vector<float> logits) : ToyStepModel(logits.size(), 0), fixed_(std::move(logits)) {}
  std::vector<float> logits_of(const std::vector<int64_t>&) const override { return fixed_; }

 private:
  std::vector<float> fixed_;
};

}  // namespace modelexport::runtime::generation::test
