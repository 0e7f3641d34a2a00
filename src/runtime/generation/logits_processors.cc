#include "runtime/generation/logits_processors.h"

namespace modelexport::runtime::generation {

LogitsProcessorList make_logits_processors(const GenerationConfig&, size_t, size_t, LogitsProcessorList extra) {
  return extra;
}

void apply_all(LogitsProcessorList& list, const RowState& row, std::span<float> scores) {
  for (auto& p : list) p->apply(row, scores);
}

}  // namespace modelexport::runtime::generation
