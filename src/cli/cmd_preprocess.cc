// modelexport preprocess MODEL INPUT... [--json] [--npy OUT_DIR] [--max-image-pixels N]
// The exact tensors the model's processor feeds it, one input set per INPUT: for an image model
// (pixel_values in the graph) INPUT is an image file, decoded and processed as a Python Hugging Face
// user's Pillow + transformers would; for an audio model (input_features / input_values) INPUT is an
// audio file, decoded, downmixed and resampled as the ffmpeg CLI does for Python transformers, then
// run through the feature extractor; for a text model INPUT is a text. MODEL is a self-contained
// .onnx (its inputs say the modality) or a Hugging Face folder (preprocessor_config.json → audio when
// its feature_extractor_type is an audio one, else image; no preprocessor_config.json → text).
// Dispatch goes through runtime::AutoProcessor's modality. Everything is computed before anything
// is printed or written, so a bad input leaves nothing behind.
#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/session_info.h"

namespace modelexport::cli {
namespace {

namespace fs = std::filesystem;
using runtime::Tensor;

struct PreprocessArgs {
  std::string model, npy_dir;
  std::vector<std::string> inputs;
  bool json = false;
  uint64_t max_image_pixels = processors::ImageDecodeOptions{}.max_pixels;
  double max_audio_seconds = processors::AudioDecodeOptions{}.max_seconds;
};

runtime::AutoProcessor load_processor(const std::string& model) {
  const fs::path p(model);
  if (fs::is_directory(p)) {
    auto files = metadata::ModelFiles::from_folder(p);
    for (const auto& w : files.warnings) std::cerr << "warning: " << w << "\n";
    std::vector<runtime::TensorDesc> inputs;
    const std::string* pre = files.get("preprocessor_config.json");
    // An audio feature extractor's config says so by its type; any other preprocessor_config is an image's.
    std::string audio_type =
        pre ? JsonReader(parse_json_object(*pre, "preprocessor_config.json"), "preprocessor_config.json")
                  .string_or("feature_extractor_type", "")
            : "";
    if (audio_type == "WhisperFeatureExtractor")
      inputs.push_back({"input_features", "float32", {-1, -1, -1}, {"", "", ""}});
    else if (audio_type == "ASTFeatureExtractor")
      inputs.push_back({"input_values", "float32", {-1, -1, -1}, {"", "", ""}});
    else if (audio_type == "Wav2Vec2FeatureExtractor")
      inputs.push_back({"input_values", "float32", {-1, -1}, {"", ""}});
    else if (pre) inputs.push_back({"pixel_values", "float32", {-1, 3, -1, -1}, {"", "", "", ""}});
    else inputs = {{"input_ids", "int64", {-1, -1}, {"", ""}}, {"attention_mask", "int64", {-1, -1}, {"", ""}}};
    return runtime::AutoProcessor::from_files(std::move(files), inputs);
  }
  return runtime::AutoProcessor::from_model(p, runtime::describe_session(p).inputs);
}

// One input set → its tensors.
std::map<std::string, Tensor> tensors_for(const runtime::AutoProcessor& processor, const std::string& input,
                                          const PreprocessArgs& a) {
  if (processor.modality() == runtime::Modality::kImage) {
    processors::ImageDecodeOptions options;
    options.max_pixels = a.max_image_pixels;
    // Inputs are processed one at a time: every core may decode the one image (a JPEG in bands),
    // while the machine has an idle core.
    options.threads =
        processors::decode_threads_for_load(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    // Decoded and resized in one pass (a JPEG's full-size image is never held), then the other steps.
    const std::string bytes = read_file(input);
    std::vector<processors::ResizedImage> images;
    images.push_back(processor.image_processor().decode_and_resize(bytes, input, options));
    return processor.image_inputs(processor.image_processor().preprocess(images));
  }
  if (processor.modality() == runtime::Modality::kAudio) {
    processors::Audio audio =
        processors::decode_audio_file(input, processor.feature_extractor().sampling_rate(), {a.max_audio_seconds});
    for (const auto& note : audio.notes) std::cerr << "note: " << note << "\n";
    return processor.audio_inputs(processor.audio_features(audio.samples.data(), audio.samples.size()));
  }
  if (processor.modality() == runtime::Modality::kText) {
    auto encodings = processor.encode({input});
    return processor.to_inputs({&encodings[0]});
  }
  throw UsageError("preprocess: this model's modality is not supported yet");
}

std::string dtype_of(const Tensor& t) { return t.is_float() ? "float32" : "int64"; }

Json tensor_json(const Tensor& t) {
  Json data = t.is_float() ? Json(t.f32) : Json(t.i64);
  return {{"dtype", dtype_of(t)}, {"shape", t.shape}, {"data", std::move(data)}};
}

// NumPy's .npy format version 1.0: magic, header dict padded to a multiple of 64 bytes, raw data.
std::string npy_bytes(const Tensor& t) {
  std::string shape = "(";  // Python tuple syntax: (3,) for one dimension
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += std::to_string(t.shape[i]) + (i + 1 < t.shape.size() ? ", " : t.shape.size() == 1 ? "," : "");
  shape += ")";
  std::string header = "{'descr': '" + std::string(t.is_float() ? "<f4" : "<i8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>(len >> 8);
  out += header;
  if (t.is_float()) out.append(reinterpret_cast<const char*>(t.f32.data()), t.f32.size() * sizeof(float));
  else out.append(reinterpret_cast<const char*>(t.i64.data()), t.i64.size() * sizeof(int64_t));
  return out;
}

int run_preprocess(const PreprocessArgs& a) {
  if (a.inputs.empty()) throw UsageError("preprocess: give at least one input (an image or audio file, or a text)");
  if (!a.json && a.npy_dir.empty()) throw UsageError("preprocess: choose an output: --json and/or --npy OUT_DIR");
  const runtime::AutoProcessor processor = load_processor(a.model);
  std::vector<std::map<std::string, Tensor>> sets;
  for (const std::string& input : a.inputs) sets.push_back(tensors_for(processor, input, a));
  if (!a.npy_dir.empty()) {
    fs::create_directories(a.npy_dir);
    for (size_t i = 0; i < sets.size(); ++i)
      for (const auto& [name, t] : sets[i])
        write_file_atomic(fs::path(a.npy_dir) / (std::to_string(i) + "_" + name + ".npy"), npy_bytes(t));
  }
  if (a.json)
    for (const auto& set : sets) {
      Json line = Json::object();
      for (const auto& [name, t] : set) line[name] = tensor_json(t);
      std::cout << dump_json(line) << "\n";
    }
  return kExitOk;
}

}  // namespace

void add_preprocess_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<PreprocessArgs>();
  auto* cmd =
      app.add_subcommand("preprocess", "Print or save the exact tensors the model's processor gives for inputs");
  cmd->add_option("model", a->model, "Self-contained .onnx, or a Hugging Face model folder")->required();
  cmd->add_option("inputs", a->inputs,
                  "Image files (image models), audio files (audio models) or texts (text models), one input set each");
  cmd->add_flag("--json", a->json,
                "One JSON line per input set: {\"name\": {\"dtype\", \"shape\", \"data\"}} (row-major)");
  cmd->add_option("--npy", a->npy_dir, "Write OUT_DIR/<set>_<name>.npy for every tensor");
  cmd->add_option("--max-image-pixels", a->max_image_pixels,
                  "Refuse images with more pixels (default 178956970, Pillow's decompression-bomb limit)");
  cmd->add_option("--max-audio-seconds", a->max_audio_seconds,
                  "Refuse audio files longer than this (default 3600; 0: no limit)");
  cmd->callback([a, &action] { action = [a] { return run_preprocess(*a); }; });
}

}  // namespace modelexport::cli
