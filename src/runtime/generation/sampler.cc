#include "runtime/generation/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

size_t argmax(std::span<const float> scores) {
  size_t best = 0;
  for (size_t i = 1; i < scores.size(); ++i)
    if (scores[i] > scores[best] || std::isnan(scores[best])) best = i;
  return best;
}

// torch.softmax on a float32 row: exp(x - max) / sum.
void softmax(std::span<const float> scores, std::vector<float>& probs) {
  probs.resize(scores.size());
  if (scores.empty()) return;
  float max = *std::max_element(scores.begin(), scores.end());
  float sum = 0.0f;
  for (size_t i = 0; i < scores.size(); ++i) {
    probs[i] = std::exp(scores[i] - max);
    sum += probs[i];
  }
  for (float& p : probs) p /= sum;
}

// torch.log_softmax on a float32 row: x - max - log(sum(exp(x - max))).
void log_softmax(std::span<float> scores) {
  if (scores.empty()) return;
  float max = *std::max_element(scores.begin(), scores.end());
  float sum = 0.0f;
  for (float s : scores) sum += std::exp(s - max);
  float log_sum = std::log(sum);
  for (float& s : scores) s = s - max - log_sum;
}

namespace {

// One draw from the unnormalised weights `w` (non-negative): the first index whose running double sum
// exceeds u * total, u = 53 random bits / 2^53 in [0, 1).
size_t draw(std::mt19937_64& engine, std::span<const float> w) {
  double total = 0;
  size_t last_positive = w.size();
  for (size_t i = 0; i < w.size(); ++i)
    if (w[i] > 0) {
      total += w[i];
      last_positive = i;
    }
  if (last_positive == w.size() || !(total > 0) || std::isinf(total))
    throw RuntimeError("generation: sampling from a row whose probabilities are all zero, NaN or infinite");
  double u = static_cast<double>(engine() >> 11) * 0x1.0p-53;
  double target = u * total, running = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!(w[i] > 0)) continue;
    running += w[i];
    if (running > target) return i;
  }
  return last_positive;  // rounding left the target just above the sum
}

}  // namespace

size_t Sampler::sample(std::span<const float> scores) {
  softmax(scores, probs_);
  return draw(engine_, probs_);
}

std::vector<size_t> Sampler::sample_distinct(std::span<const float> scores, size_t count) {
  softmax(scores, probs_);
  std::vector<size_t> drawn;
  drawn.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    size_t i = draw(engine_, probs_);
    drawn.push_back(i);
    probs_[i] = 0.0f;  // without replacement
  }
  return drawn;
}

}  // namespace modelexport::runtime::generation
