#include "runtime/generation/generate.h"

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

GenerationResult generate(StepModel&, const std::vector<std::vector<int64_t>>&, const GenerationConfig&, Streamer*,
                          const std::atomic<bool>*, GenerationHooks) {
  throw UsageError("generation: not implemented yet");
}

}  // namespace modelexport::runtime::generation
