// modelexport's whole public API in one include: self-contained ONNX models (embed, read, validate,
// unpack Hugging Face files in ONNX metadata), Hugging Face tokenizers rebuilt from tokenizer.json,
// graph quantization, and the ONNX Runtime layer (pipelines) when it is installed.
//
//   #include "modelexport/modelexport.h"
//
//   auto tok = modelexport::processors::Tokenizer::from_json(tokenizer_json_bytes);
//   modelexport::processors::Encoding e = tok.encode("Hello world!");
//   auto classifier = modelexport::runtime::pipeline("model.onnx");   // needs modelexport::runtime
//
// With CMake (see examples/consumer): find_package(modelexport REQUIRED COMPONENTS runtime), then link
// modelexport::processors (tokenizer only: no protobuf, no ONNX Runtime), modelexport::modelexport
// (metadata + tokenizer), modelexport::runtime or modelexport::quantize. Each header below states its
// own contract; every function reports failure by throwing modelexport::Error (common/error.h).
#pragma once

#include "modelexport/version.h"

#include "modelexport/common/codec.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/limits.h"
#include "modelexport/common/progress.h"
#include "modelexport/common/sha256.h"
#include "modelexport/format/external_data_names.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/metadata/model_card.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/source.h"
#include "modelexport/metadata/task.h"
#include "modelexport/metadata/task_outputs.h"
#include "modelexport/metadata/validate.h"
#include "modelexport/metadata/values.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/audio_features.h"
#include "modelexport/processors/chat_template.h"
#include "modelexport/processors/image.h"
#include "modelexport/processors/image_processor.h"
#include "modelexport/processors/tokenizer.h"
#include "modelexport/processors/tokenizer_config.h"
#include "modelexport/quantize/blockwise.h"
#include "modelexport/quantize/quantize.h"

#if __has_include("modelexport/runtime/pipeline.h")  // installed with the runtime component
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/compare.h"
#include "modelexport/runtime/fp16_range.h"
#include "modelexport/runtime/generation.h"
#include "modelexport/runtime/logging.h"
#include "modelexport/runtime/pipeline.h"
#include "modelexport/runtime/session_info.h"
#endif
