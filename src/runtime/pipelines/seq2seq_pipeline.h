// The encoder-decoder text pipelines (internal): text2text-generation, translation (also
// translation_xx_to_yy), summarization, over an encoder-decoder set (metadata/encoder_decoder_set.h)
// and the generation loop (runtime/generation/generate.h) driving EncoderDecoderModel.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime {

// True for the tasks below (canonical names, translation_xx_to_yy included).
bool is_seq2seq_task(const std::string& task);

// `model_or_folder`: the set's folder or any of its files. `task` empty: the one in the metadata
// (hf_pipeline_task), else text2text-generation. Throws MetadataReadError naming a missing sibling,
// UsageError for a task these pipelines do not serve.
std::unique_ptr<Pipeline> make_seq2seq_pipeline(const std::filesystem::path& model_or_folder, const std::string& task,
                                                const SessionOptions& session);

}  // namespace modelexport::runtime
