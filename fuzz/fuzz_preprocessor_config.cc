// libFuzzer target: preprocessor_config.json as the image processors (processors/image_processor.h)
// and the audio feature extractors (processors/audio_features.h) read it, then one small input through
// whichever accepted it: a hostile config (sizes, crops, FFT lengths, mel bins) must be an error or a
// bounded amount of work, never a crash or a huge allocation.
#include <cmath>

#include "fuzz_support.h"
#include "modelexport/processors/audio_features.h"
#include "modelexport/processors/image.h"
#include "modelexport/processors/image_processor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size > (256u << 10)) return 0;
  const std::string_view config = fuzz::as_view(data, size);
  fuzz::expect_contract([&] {
    auto processor = processors::ImageProcessor::from_json(config, "preprocessor_config.json");
    processors::Image image;
    image.width = 13, image.height = 7;
    image.pixels.resize(size_t(image.width) * image.height * 3);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37);
    (void)processor.preprocess({image});
  });
  fuzz::expect_contract([&] {
    auto extractor = processors::AudioFeatureExtractor::from_json(config);
    std::vector<float> samples(4000);  // a quarter second at 16 kHz
    for (size_t i = 0; i < samples.size(); ++i) samples[i] = 0.5f * std::sin(0.07f * static_cast<float>(i));
    (void)extractor.extract(samples.data(), samples.size());
  });
  return 0;
}
