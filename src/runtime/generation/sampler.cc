#include "runtime/generation/sampler.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

// torch.argmax: the first maximum. Two passes over the row: its maximum, then the first index holding
// it. A NaN never wins a comparison (x > m ? x : m keeps m), so an all-NaN row gives 0, and -0.0 and
// 0.0, equal under ==, tie to the first of them.
size_t argmax(std::span<const float> scores) {
  if (scores.empty()) return 0;
  const float* p = scores.data();
  const size_t n = scores.size();
  float max = -std::numeric_limits<float>::infinity();
  size_t i = 0;
#if defined(__SSE2__)
  // 16 floats per iteration in four accumulators. _mm_max_ps(x, m) is x > m ? x : m in each lane
  // (Intel's MAXPS returns its second operand when either is NaN): the scalar rule below, so the
  // accumulators never hold a NaN and combine in any order.
  __m128 m0 = _mm_set1_ps(max), m1 = m0, m2 = m0, m3 = m0;
  for (; i + 16 <= n; i += 16) {
    m0 = _mm_max_ps(_mm_loadu_ps(p + i), m0);
    m1 = _mm_max_ps(_mm_loadu_ps(p + i + 4), m1);
    m2 = _mm_max_ps(_mm_loadu_ps(p + i + 8), m2);
    m3 = _mm_max_ps(_mm_loadu_ps(p + i + 12), m3);
  }
  float lanes[4];
  _mm_storeu_ps(lanes, _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
  for (float l : lanes) max = l > max ? l : max;
#endif
  for (; i < n; ++i) max = p[i] > max ? p[i] : max;
  size_t k = 0;
#if defined(__SSE2__)
  // The first 16-float block holding the maximum, then the first 4 floats of it that do.
  const __m128 target = _mm_set1_ps(max);
  auto equal = [&](size_t at) { return _mm_cmpeq_ps(_mm_loadu_ps(p + at), target); };
  for (; k + 16 <= n; k += 16)
    if (_mm_movemask_ps(_mm_or_ps(_mm_or_ps(equal(k), equal(k + 4)), _mm_or_ps(equal(k + 8), equal(k + 12))))) break;
  for (; k + 4 <= n; k += 4)
    if (int hit = _mm_movemask_ps(equal(k))) return k + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(hit)));
#endif
  for (; k < n; ++k)
    if (p[k] == max) return k;
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
