// audio-classification as transformers.js' AudioClassificationPipeline (and Python transformers'
// v4.57): the feature extractor's inputs, logits [1, labels], softmax, the top_k labels (default 5,
// at most the number of labels), best first, as [{"label","score"}].
#include <algorithm>
#include <numeric>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class AudioClassification final : public TextPipeline {
 public:
  AudioClassification(AutoModel m, AutoProcessor p) : TextPipeline("audio-classification", std::move(m), std::move(p)) {
    if (processor_.modality() != Modality::kAudio)
      throw UnsuitableModelError("audio-classification needs an audio model (input_values / input_features)");
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    std::vector<OJson> out;
    const auto& fe = processor_.feature_extractor();
    for (const auto& in : inputs) {
      std::vector<float> samples = input_samples(in, fe.sampling_rate(), o);
      auto outputs = model_.run(processor_.audio_inputs(processor_.audio_features(samples.data(), samples.size())));
      const Tensor& logits = output(outputs, "logits", 2);
      size_t labels = size_t(logits.shape[1]);
      std::vector<double> p = softmax(logits.f32.data(), labels);
      std::vector<size_t> order(labels);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
      OJson list = OJson::array();
      for (size_t k = 0; k < std::min(o.top_k.value_or(5), labels); ++k)
        list.push_back({{"label", label(order[k])}, {"score", p[order[k]]}});
      out.push_back(std::move(list));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pipeline> make_audio_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<AudioClassification>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
