#include "runtime/generation/generation_config.h"

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

DecodingMode GenerationConfig::mode() const {
  if (num_beams > 1) return do_sample ? DecodingMode::kBeamSample : DecodingMode::kBeamSearch;
  return do_sample ? DecodingMode::kSample : DecodingMode::kGreedy;
}

int64_t GenerationConfig::max_length_for(size_t prompt_length) const {
  if (max_new_tokens) return static_cast<int64_t>(prompt_length) + *max_new_tokens;
  return max_length;
}

void GenerationConfig::validate() {}

void GenerationConfig::apply(const GenerationOptions&) {}

GenerationConfig GenerationConfig::resolve(std::string_view, std::string_view, std::string_view,
                                           const GenerationOptions& options) {
  GenerationConfig c;
  c.apply(options);
  c.validate();
  return c;
}

}  // namespace modelexport::runtime::generation
