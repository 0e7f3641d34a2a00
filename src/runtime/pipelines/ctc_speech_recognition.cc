// automatic-speech-recognition for CTC models (Wav2Vec2ForCTC and kin) as Python transformers'
// AutomaticSpeechRecognitionPipeline (v4.57) with Wav2Vec2CTCTokenizer.decode(skip_special_tokens=True):
// logits [1, frames, vocab] → argmax per frame → special tokens other than the pad (blank) dropped →
// consecutive repeats collapsed (itertools.groupby) → pad removed → word_delimiter_token ("|") becomes
// a space → stripped → clean_up_tokenization (" 's" → "'s", " ." → ".", ...) when the tokenizer
// config's clean_up_tokenization_spaces is on (the processor's rule: true when unset, as transformers.js).
#include <algorithm>
#include <set>

#include "modelexport/common/error.h"
#include "modelexport/processors/tokenizer_config.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

class CtcSpeechRecognition final : public TextPipeline {
 public:
  CtcSpeechRecognition(AutoModel m, AutoProcessor p)
      : TextPipeline("automatic-speech-recognition", std::move(m), std::move(p)) {
    if (processor_.modality() != Modality::kAudio)
      throw UnsuitableModelError("automatic-speech-recognition needs an audio model (input_values / input_features)");
    if (!processor_.has_tokenizer())
      throw ProcessorReconstructionError("a CTC model needs its tokenizer (tokenizer.json) to turn ids into text; " +
                                         processor_.files().source + " has none");
    if (processor_.feature_extractor().type() == "WhisperFeatureExtractor")
      throw UnsuitableModelError(
          "a Whisper model runs as an encoder-decoder set: give its folder (encoder_model.onnx + "
          "decoder_model_merged.onnx), not one file of another layout");
    pad_ = processor_.special_token_id("pad_token");
    const std::string* tc = processor_.files().get("tokenizer_config.json");
    delimiter_ = "|";
    if (tc) {
      Json j = parse_json_object(*tc, "tokenizer_config.json");
      delimiter_ = JsonReader(j, "tokenizer_config.json").string_or("word_delimiter_token", "|");
    }
    auto special = processor_.all_special_ids();
    special_.insert(special.begin(), special.end());
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& options) const override {
    std::vector<OJson> out;
    const auto& fe = processor_.feature_extractor();
    const auto& tok = processor_.tokenizer();
    // Python's pipeline: "Only Whisper can return language for now."; prompts are Whisper's generate's.
    if (options.speech.return_language)
      throw UsageError("--return-language: only Whisper models return the language (this is a CTC model)");
    if (!options.speech.prompt.empty() || !options.speech.prompt_ids.empty())
      throw UsageError("--prompt: only Whisper models take a prompt (this is a CTC model)");
    for (const auto& in : inputs) {
      std::vector<float> samples = input_samples(in, fe.sampling_rate(), options);
      auto outputs = model_.run(processor_.audio_inputs(processor_.audio_features(samples.data(), samples.size())));
      const Tensor& logits = output(outputs, "logits", 3);
      size_t frames = size_t(logits.shape[1]), vocab = size_t(logits.shape[2]);
      std::vector<int32_t> ids;
      for (size_t t = 0; t < frames; ++t) {
        const float* row = logits.f32.data() + t * vocab;
        ids.push_back(int32_t(std::max_element(row, row + vocab) - row));  // first maximum, as argmax
      }
      std::string text;
      int32_t previous = -1;
      for (int32_t id : ids) {
        bool is_pad = pad_ && id == *pad_;
        if (!is_pad && special_.count(id)) continue;  // skipped before grouping (the pad is kept to split repeats)
        if (id == previous) continue;
        previous = id;
        if (is_pad) continue;
        std::string token = tok.id_to_token(id).value_or("");
        text += token == delimiter_ ? " " : token;
      }
      size_t b = text.find_first_not_of(' '), e = text.find_last_not_of(' ');
      text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
      // Wav2Vec2CTCTokenizer._decode: clean_up_tokenization after convert_tokens_to_string's strip.
      text = processor_.clean_up_tokenization(std::move(text));
      out.push_back(OJson{{"text", text}});
    }
    return out;
  }

  std::optional<int32_t> pad_;
  std::string delimiter_;
  std::set<int32_t> special_;
};

}  // namespace

std::unique_ptr<Pipeline> make_ctc_speech_recognition(AutoModel model, AutoProcessor processor) {
  return std::make_unique<CtcSpeechRecognition>(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
