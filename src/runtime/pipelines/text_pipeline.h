// Shared machinery of the text pipelines (internal): model config and labels, batched runs over
// encodings, row access into padded outputs, softmax. Each task is one .cc with a factory function.
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime {

using OJson = nlohmann::ordered_json;  // results keep transformers.js' field order

class TextPipeline : public Pipeline {
 public:
  TextPipeline(std::string task, AutoModel model, AutoProcessor processor);
  std::vector<std::string> run(const std::vector<PipelineInput>& inputs, const PipelineOptions& options) const final;
  // run()'s results before they are written as JSON text (the Python binding builds Python objects
  // from them directly); the same checks.
  std::vector<OJson> run_results(const std::vector<PipelineInput>& inputs, const PipelineOptions& options) const;

 protected:
  // One result per input.
  virtual std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& options) const = 0;

  // Runs the encodings through the model in batches of at most batch_size (or the model's static
  // batch) and calls `each(rows, outputs, padded_length)` per batch; row r of the batch is
  // encodings[rows[r]]. Batches are formed from encodings of similar length (sorted by length), so
  // little compute goes to padding; results do not depend on the grouping.
  using BatchFn = std::function<void(const std::vector<size_t>& rows, const std::map<std::string, Tensor>& outputs, size_t padded_length)>;
  void run_batches(const std::vector<const processors::Encoding*>& encodings, size_t batch_size, const BatchFn& each) const;
  // Where token 0 of an encoding of `n` tokens sits in a row padded to `padded_length`.
  size_t row_start(size_t n, size_t padded_length) const;
  // The output named `name`, checked to have `rank` dims; throws RuntimeError naming what was found.
  const Tensor& output(const std::map<std::string, Tensor>& outputs, const std::string& name, size_t rank) const;
  std::string label(size_t id) const;  // id2label, or LABEL_{id}
  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const { return processor_.decode(ids, skip_special); }

  Json config_;                            // config.json
  std::map<size_t, std::string> id2label_;
};

// The model's outputs as the format layer describes graph outputs, for the shared task rules
// (metadata/task_outputs.h); pipeline() checks them against the task before building a pipeline.
std::vector<format::ValueInfo> graph_outputs(const AutoModel& model);

// Softmax in double precision over n logits.
std::vector<double> softmax(const float* logits, size_t n);

// Task factories (one per pipelines/*.cc).
std::unique_ptr<Pipeline> make_feature_extraction(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_text_classification(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_token_classification(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_fill_mask(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_question_answering(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_zero_shot_classification(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_text_generation(AutoModel model, AutoProcessor processor);
// The two-file decoder layout: `model` is decoder_model.onnx (the prompt step), `with_past`
// decoder_with_past_model.onnx.
std::unique_ptr<Pipeline> make_text_generation(AutoModel model, AutoModel with_past, AutoProcessor processor);
std::unique_ptr<Pipeline> make_ctc_speech_recognition(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_audio_classification(AutoModel model, AutoProcessor processor);

// An audio input's mono samples at `rate` (audio_pipeline.cc): the file decoded, or the given samples
// resampled. Throws UsageError for an input with neither, AudioDecodeError for a file past
// options.max_audio_seconds; its notes (resampling, downmix) go to options.on_note.
std::vector<float> input_samples(const PipelineInput& in, int rate, const PipelineOptions& options);

}  // namespace modelexport::runtime
