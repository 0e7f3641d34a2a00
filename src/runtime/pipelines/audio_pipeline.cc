#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {

std::vector<float> input_samples(const PipelineInput& in, int rate, const PipelineOptions& options) {
  if (!in.samples.empty()) {
    if (in.sampling_rate <= 0) throw UsageError("audio samples given without their sampling_rate");
    return processors::convert_samples(in.samples.data(), in.samples.size(), 1, in.sampling_rate, rate).samples;
  }
  if (in.audio.empty()) throw UsageError("an audio pipeline needs an audio file or samples per input");
  // The whole recording is held: decoding stops past options.max_audio_seconds.
  processors::Audio audio = processors::decode_audio_file(in.audio, rate, {options.max_audio_seconds});
  if (options.on_note)
    for (const auto& note : audio.notes) options.on_note(note);
  return std::move(audio.samples);
}

}  // namespace modelexport::runtime
