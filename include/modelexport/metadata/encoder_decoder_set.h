// The files of an encoder-decoder export (Optimum / transformers.js layout) and their consistency.
//
//   encoder_model{S}.onnx + decoder_model_merged{S}.onnx            (merged decoder, use_cache_branch)
//   encoder_model{S}.onnx + decoder_model{S}.onnx + decoder_with_past_model{S}.onnx
//
// S is the transformers.js dtype suffix ("", "_q4", "_quantized", ...). The files sit in one folder,
// or in its onnx/ subfolder (transformers.js). Each file of a self-contained set carries the same
// embedded metadata (`embed-metadata FOLDER SOURCE` embeds into each).
//
//   if (is_encoder_decoder_set("out/encoder_model.onnx")) {
//     EncoderDecoderSet set = find_encoder_decoder_set("out/encoder_model.onnx");  // throws if a sibling is missing
//     for (const auto& f : validate_encoder_decoder_set(set)) std::cout << f.message << "\n";
//   }
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/metadata/validate.h"

namespace modelexport::metadata {

struct EncoderDecoderSet {
  std::filesystem::path encoder;            // encoder_model{S}.onnx
  std::filesystem::path decoder;            // decoder_model_merged{S}.onnx, or decoder_model{S}.onnx
  std::filesystem::path decoder_with_past;  // decoder_with_past_model{S}.onnx; empty with a merged decoder
  std::string suffix;                       // S
  bool merged() const { return decoder_with_past.empty(); }
  std::vector<std::filesystem::path> files() const;  // encoder, decoder(s)
};

// True for a folder holding an encoder_model*.onnx (itself or in onnx/), for an encoder_model*.onnx
// file, and for a decoder file of the layout's names beside such an encoder or whose config.json
// (embedded, or in the folder) says is_encoder_decoder. A lone decoder_model_merged.onnx of a
// decoder-only model is not a set.
bool is_encoder_decoder_set(const std::filesystem::path& model_or_folder);

// The set a folder or any of its files belongs to. A folder with several suffixes takes `suffix`
// (default: the fp32 files "", else the only suffix present). A given decoder_model / decoder_with_past
// file selects the split decoders; otherwise the merged decoder is preferred. Throws MetadataReadError
// naming the missing sibling (and the folder it looked in).
EncoderDecoderSet find_encoder_decoder_set(const std::filesystem::path& model_or_folder, std::string_view suffix = "");

// Checks that the files belong together: each carries modelexport metadata, all the same
// hf_model_config, the encoder's last_hidden_state width equals the decoder's encoder_hidden_states
// width, and the decoders' logits width equals config.json's vocab_size (and each other's).
// Findings have check "set".
std::vector<Finding> validate_encoder_decoder_set(const EncoderDecoderSet& set);

// A decoder-only export in the same names, without an encoder: Optimum's older two-file layout
//   decoder_model{S}.onnx            (the prompt step: no past inputs, present.N.key/value out)
//   decoder_with_past_model{S}.onnx  (every later step: past_key_values.N.* in)
// or a folder whose decoder is decoder_model_merged{S}.onnx (preferred when both are there).
//
//   if (!is_encoder_decoder_set(p) && is_decoder_only_set(p)) {
//     DecoderOnlySet set = find_decoder_only_set(p);   // throws naming a missing sibling
//   }
struct DecoderOnlySet {
  std::filesystem::path decoder;            // decoder_model{S}.onnx, or decoder_model_merged{S}.onnx
  std::filesystem::path decoder_with_past;  // decoder_with_past_model{S}.onnx; empty with a merged decoder
  std::string suffix;
  bool merged() const { return decoder_with_past.empty(); }
  std::vector<std::filesystem::path> files() const;  // decoder, decoder_with_past (when a pair)
};

// True for a decoder_model{S}.onnx or decoder_with_past_model{S}.onnx file, and for a folder (itself
// or its onnx/) holding one of decoder_model*, decoder_with_past_model*, decoder_model_merged*.onnx;
// call it when is_encoder_decoder_set() is false (it does not look for the encoder).
bool is_decoder_only_set(const std::filesystem::path& model_or_folder);

// The decoder file(s) of such a set: from a file, its sibling by name (a given decoder_model{S} or
// decoder_with_past_model{S} always selects the two-file pair); from a folder, the merged decoder or
// the pair, with the suffix rule of find_encoder_decoder_set. Throws MetadataReadError naming the
// missing sibling and the folder it looked in.
DecoderOnlySet find_decoder_only_set(const std::filesystem::path& model_or_folder, std::string_view suffix = "");

// Checks that a two-file decoder's files belong together: each carries modelexport metadata, all the
// same hf_model_config, and check_decoder_pair holds with that config.
// A merged decoder gets only the metadata checks. Findings have check "set".
//
//   DecoderOnlySet set = find_decoder_only_set("out/");  // decoder_model.onnx + decoder_with_past_model.onnx
//   for (const auto& f : validate_decoder_only_set(set)) std::cout << f.message << "\n";
std::vector<Finding> validate_decoder_only_set(const DecoderOnlySet& set);

// The pair's structure, the rule `run` applies too (config_json: config.json's text, or empty):
// decoder_model takes no cache input and gives, for every cache input of
// decoder_with_past_model (past_key_values.N.key/value or past_N), the present output that starts it
// (present.N.key/value, present_N) with its element type and fixed dims, and decoder_with_past_model
// gives it too; both logits widths equal each other and config.json's vocab_size; the cache's
// [batch, kv_heads, past, head_dim] fits config.json's hidden size (num_key_value_heads, head_dim or
// hidden_size / num_attention_heads); both take the same input_ids / attention_mask / position_ids.
// Errors with check "set", one per kind of disagreement, naming the first tensor and how many more
// there are; none for a merged decoder.
std::vector<Finding> check_decoder_pair(const DecoderOnlySet& set, std::string_view config_json);

}  // namespace modelexport::metadata
