#include "runtime/generation/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

// torch.argmax: the first maximum.
size_t argmax(std::span<const float> scores) {
  if (scores.empty()) return 0;
  // The maximum over 8 interleaved lanes (independent chains the compiler can vectorize; a NaN never
  // wins a comparison, in any lane), then the first index holding it.
  constexpr size_t kLanes = 8;
  float lane[kLanes];
  std::fill_n(lane, kLanes, -std::numeric_limits<float>::infinity());
  const size_t n = scores.size(), whole = n - n % kLanes;
  for (size_t i = 0; i < whole; i += kLanes)
    for (size_t j = 0; j < kLanes; ++j) lane[j] = scores[i + j] > lane[j] ? scores[i + j] : lane[j];
  float max = -std::numeric_limits<float>::infinity();
  for (float l : lane) max = l > max ? l : max;
  for (size_t i = whole; i < n; ++i) max = scores[i] > max ? scores[i] : max;
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] == max) return i;
  return 0;  // every score NaN
}

// torch.softmax on a float32 row: exp(x - max) / sum.
void softmax(std::span<const float> scores, std::vector<float>& probs) {
  probs.resize(scores.size());
  if (scores.empty()) return;
  float max = -std::numeric_limits<float>::infinity();
  for (float s : scores) max = s > max ? s : max;
  float sum = 0.0f;
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < scores.size(); ++i) {
    // exp(-inf) is 0: masked tokens (most of the row after top_k) skip the call.
    probs[i] = scores[i] == kNegInf ? 0.0f : std::exp(scores[i] - max);
    sum += probs[i];
  }
  if (!(sum > 0.0f)) {  // every score -inf (or NaN): no distribution; callers see all zeros
    std::fill(probs.begin(), probs.end(), 0.0f);
    return;
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
