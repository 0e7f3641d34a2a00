// libFuzzer target: audio decoding from bytes in memory (processors/audio.h decode_audio: FFmpeg's
// demuxers and decoders, libswresample to mono 16 kHz), then features of the first 2 s: Wav2Vec2's
// normalized input_values, and for one input in 8 Whisper's log-mel (fixed cost: it pads to 30 s).
// Inputs over 256 KB are skipped so that each run is bounded.
#include <algorithm>

#include "fuzz_support.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/audio_features.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size > (256u << 10)) return 0;
  static const auto whisper = processors::AudioFeatureExtractor::from_json(
      R"({"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 80, "sampling_rate": 16000,
          "hop_length": 160, "chunk_length": 30, "n_fft": 400, "padding_value": 0.0})");
  static const auto wav2vec2 = processors::AudioFeatureExtractor::from_json(
      R"({"feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1, "sampling_rate": 16000,
          "do_normalize": true, "padding_value": 0.0, "return_attention_mask": true})");
  fuzz::expect_contract([&] {
    processors::Audio audio = processors::decode_audio(fuzz::as_view(data, size), 16000, "fuzz");
    const size_t n = std::min<size_t>(audio.samples.size(), 32000);
    if (n > 0) (void)(size % 8 == 0 ? whisper : wav2vec2).extract(audio.samples.data(), n);
  });
  return 0;
}
