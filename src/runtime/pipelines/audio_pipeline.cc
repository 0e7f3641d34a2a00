#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {

std::vector<float> input_samples(const PipelineInput& in, int rate) {
  if (!in.samples.empty()) {
    if (in.sampling_rate <= 0) throw UsageError("audio samples given without their sampling_rate");
    return processors::convert_samples(in.samples.data(), in.samples.size(), 1, in.sampling_rate, rate).samples;
  }
  if (in.audio.empty()) throw UsageError("an audio pipeline needs an audio file or samples per input");
  return processors::decode_audio_file(in.audio, rate).samples;
}

}  // namespace modelexport::runtime
