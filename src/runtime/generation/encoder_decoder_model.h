// EncoderDecoderModel: an encoder-decoder model (T5, BART, Marian, Whisper, ...) on ONNX Runtime as
// the generation loop's StepModel. The encoder runs once per generation; the decoder runs per step
// with its caches bound through Ort::IoBinding.
//
//   AutoModel enc = AutoModel::from_model(set.encoder, {}), dec = AutoModel::from_model(set.decoder, {});
//   EncoderDecoderModel model(enc, dec, nullptr, EncoderDecoderModel::Settings::from_config(config_json));
//   model.encode({{"input_ids", ids}, {"attention_mask", mask}});   // or {"input_features", mel}
//   model.step({{decoder_start}, {decoder_start}}, logits);         // first step: cross cache computed
//   model.step({{tok0}, {tok1}}, logits);                           // one token per row from then on
//
// Graph contracts (Optimum / transformers.js names, found in the graphs' IO):
//   encoder: any inputs the caller names (input_ids + attention_mask, input_features, ...) →
//     last_hidden_state [batch, encoder_sequence, hidden]
//   decoder: input_ids, [encoder_hidden_states], [encoder_attention_mask], [use_cache_branch],
//     past_key_values.N.{decoder,encoder}.{key,value} [batch, heads, past, head_dim] → logits,
//     present.N.{decoder,encoder}.{key,value}. Either one merged graph (decoder_model_merged.onnx,
//     use_cache_branch false on the first step with empty past tensors, true after), or
//     decoder_model.onnx for the first step and decoder_with_past_model.onnx after.
// The cross-attention cache (present.N.encoder.*) is taken from the first step and bound as
// past_key_values.N.encoder.* on every later step (the later steps' encoder outputs are ignored, as
// Optimum and transformers.js do). The self-attention cache: the present values ONNX Runtime
// allocated on one step are bound as the next step's past as they are (no copy by us). select_rows
// gathers the rows of every cache and of the encoder states once per call (beam reorder, expansion,
// dropping finished rows); an identity selection costs nothing.
// The encoder attention mask is the caller's "attention_mask" when given, else all ones.
//
// Not thread-safe: one generation at a time per EncoderDecoderModel (the AutoModels may serve several).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/runtime/auto_model.h"
#include "runtime/generation/step_model.h"

namespace modelexport::runtime::generation {

class EncoderDecoderModel final : public StepModel {
 public:
  // What config.json says that a graph may leave symbolic: cache heads and head size for the empty
  // first-step past, the vocabulary when logits' last dim is symbolic.
  struct Settings {
    size_t decoder_heads = 0, head_dim = 0, vocab_size = 0;
    // From config.json (T5: num_heads / d_kv; BART, Marian, Whisper: decoder_attention_heads,
    // d_model). Throws MetadataReadError naming the key when it has the wrong JSON type.
    static Settings from_config(std::string_view config_json);
  };

  // `decoder` is the merged decoder, or the first-step decoder when `decoder_with_past` is given.
  // Checks the graphs (last_hidden_state, input_ids, logits, every past input's present output) and
  // throws UnsuitableModelError naming the file's tensor otherwise. The AutoModels must outlive this.
  EncoderDecoderModel(const AutoModel& encoder, const AutoModel& decoder, const AutoModel* decoder_with_past,
                      Settings settings);
  ~EncoderDecoderModel() override;

  // Runs the encoder on a batch (rows = batch items) and starts a new generation.
  void encode(const std::map<std::string, Tensor>& encoder_inputs);

  size_t vocab_size() const override;
  void step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) override;
  void select_rows(const std::vector<size_t>& rows) override;

  // The encoder's output of the last encode() (rows as after the last select_rows), float32.
  std::vector<int64_t> encoder_output_shape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelexport::runtime::generation
