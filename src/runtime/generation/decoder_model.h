// DecoderModel: a decoder-only LM on ONNX Runtime as the generation loop's StepModel, with its KV
// cache kept in preallocated buffers bound through Ort::IoBinding.
//
//   AutoModel session = AutoModel::from_model("model.onnx", {});
//   DecoderModel decoder(session, DecoderModel::Settings::from_configs(config_json, genai_config_json));
//   decoder.reserve(rows, prompt_length + max_new_tokens);   // optional: no reallocation later
//   decoder.step({{1, 2, 3}, {4, 5}}, logits);                // prompts, left-padded inside
//   decoder.step({{7}, {9}}, logits);                         // one token per row from then on
//
// Graph contracts it runs (what it finds in the graph's IO, not by model name):
//   Optimum / transformers.js: input_ids, attention_mask, [position_ids], [num_logits_to_keep],
//     [use_cache_branch] (legacy decoder_model_merged.onnx), past_key_values.N.key/value
//     [batch, kv_heads, past, head_dim] → logits, present.N.key/value; empty past on the first step.
//   onnxruntime-genai: past_%d [2, batch, heads, past, head_dim] → present_%d (any axis order: the
//     batch axis is the dim named like input_ids' batch dim, the sequence axis the other named dim),
//     int32 ids / mask / positions, GroupQueryAttention graphs with past and present in one shared
//     buffer [batch, kv_heads, max_length, head_dim] when genai_config.json says
//     search.past_present_share_buffer; fixed-size recurrent states (LFM2's past_conv.N
//     [batch, channels, kernel]) start at zero and are carried from present_conv.N.
//   No cache inputs: every step recomputes the whole sequence (slow; notes() says so).
//   Optimum's older two-file layout: decoder_model.onnx (no past inputs) runs the prompt step, its
//     present.N.* written into the cache buffers; decoder_with_past_model.onnx every later step.
// Left padding: position ids are cumsum(mask) - 1 (1 on padding, as transformers does). Float16
// logits and caches are read and kept as float16; logits come back as float32.
//
// Memory: each cache input owns two buffers sized for reserve()'s rows × max length; a step binds
// one as past and the other as present, then they swap (ORT writes present straight into our
// buffer: no per-token allocation or copy by us; the shared-buffer mode needs one). select_rows
// gathers rows once per call. Decode-step float32 logits are written straight into the caller's
// vector; logits of several positions per row (the prompt step of a graph without
// num_logits_to_keep, full recompute) go to ONNX Runtime's arena, reused across generations, and
// only each row's last position is copied out.
//
// Not thread-safe: one generation at a time per DecoderModel (the AutoModel may serve several).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/runtime/auto_model.h"
#include "runtime/generation/step_model.h"

namespace modelexport::runtime::generation {

class DecoderModel final : public StepModel {
 public:
  // What the configs say that the graph may not: context window, cache geometry for symbolic dims,
  // the pad token, whether past and present share one buffer.
  struct Settings {
    size_t context_length = 0;          // max_position_embeddings / n_positions / context_length; 0 unknown
    size_t kv_heads = 0, head_dim = 0;  // 0: take them from the graph's static dims
    size_t vocab_size = 0;              // when the logits' vocabulary dim is symbolic
    int64_t pad_token_id = 0;
    bool share_buffer = false;  // genai_config.json search.past_present_share_buffer
    // config.json (may be empty) and genai_config.json (may be empty). Throws MetadataReadError on a
    // key of the wrong JSON type, naming the file and the key.
    static Settings from_configs(std::string_view config_json, std::string_view genai_config_json);
  };

  // Checks the graph: input_ids and logits must exist, every past input needs its present output
  // (RuntimeError / UnsuitableModelError naming the tensor otherwise). `model` must outlive this.
  DecoderModel(const AutoModel& model, Settings settings);
  // The two-file layout: `first_step` (decoder_model.onnx) must take no past inputs and give every
  // present output `with_past` (decoder_with_past_model.onnx) carries; the cache is `with_past`'s.
  // Throws UnsuitableModelError naming the input or output that breaks this. Both must outlive this.
  DecoderModel(const AutoModel& first_step, const AutoModel& with_past, Settings settings);
  ~DecoderModel() override;

  size_t vocab_size() const override;
  void step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) override;
  void select_rows(const std::vector<size_t>& rows) override;

  // Allocates the cache for `rows` rows of up to `max_length` tokens (prompt + generated) now, so the
  // generation never reallocates. Also resets: the next step() starts a new generation.
  void reserve(size_t rows, size_t max_length);
  void reset();
  bool has_cache() const;
  size_t context_length() const;
  // Things a user should know (full recompute without a cache, ...).
  const std::vector<std::string>& notes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelexport::runtime::generation
