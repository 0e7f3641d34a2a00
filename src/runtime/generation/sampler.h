// Choosing the next token from processed scores: greedy (torch.argmax: the first maximum) and
// sampling (torch.multinomial on softmax(scores)), with our own documented, reproducible algorithm:
// probabilities are computed in float32 as torch.softmax does (max subtracted, exp, divided by the
// sum); u = (std::mt19937_64() >> 11) * 2^-53, a double in [0, 1); the token is the first index whose
// running double sum of probabilities exceeds u * (sum of probabilities) (the last token with a
// non-zero probability if rounding leaves none). One draw per row per step, rows in order, so a seed
// fixes the whole generation. The draws differ from torch's generator (its stream is not
// reproducible outside torch); the distribution is the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace modelexport::runtime::generation {

// Index of the first maximum of `scores` (NaN never wins).
size_t argmax(std::span<const float> scores);

// float32 softmax of `scores` into `probs` (resized), as torch.softmax on a float32 row.
void softmax(std::span<const float> scores, std::vector<float>& probs);
// float32 log_softmax of `scores` in place, as torch.log_softmax on a float32 row (x - max - log(sum exp)).
void log_softmax(std::span<float> scores);

class Sampler {
 public:
  explicit Sampler(uint64_t seed) : engine_(seed) {}
  // Draws one token from softmax(scores). Throws RuntimeError when every score is -inf or NaN.
  size_t sample(std::span<const float> scores);
  // Draws `count` distinct tokens without replacement (torch.multinomial(probs, count) for beam
  // sampling), in draw order.
  std::vector<size_t> sample_distinct(std::span<const float> scores, size_t count);
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
  std::vector<float> probs_;
};

}  // namespace modelexport::runtime::generation
