#include "runtime/generation/sampler.h"

namespace modelexport::runtime::generation {

size_t argmax(std::span<const float> scores) {
  size_t best = 0;
  for (size_t i = 1; i < scores.size(); ++i)
    if (scores[i] > scores[best]) best = i;
  return best;
}

}  // namespace modelexport::runtime::generation
