#include "modelexport/metadata/model_card.h"

#include <map>
#include <regex>

#include "common/json_util.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"

namespace modelexport::metadata {
namespace {

constexpr std::string_view kMarker = "<!-- written by modelexport: model card -->";

// Optimum's ORTModel class per pipeline task (optimum.onnxruntime, modeling_ort.py / modeling_seq2seq.py).
std::string optimum_class(const std::string& task) {
  static const std::map<std::string, std::string> classes = {
      {"text-classification", "ORTModelForSequenceClassification"},
      {"zero-shot-classification", "ORTModelForSequenceClassification"},
      {"token-classification", "ORTModelForTokenClassification"},
      {"feature-extraction", "ORTModelForFeatureExtraction"},
      {"fill-mask", "ORTModelForMaskedLM"},
      {"question-answering", "ORTModelForQuestionAnswering"},
      {"text-generation", "ORTModelForCausalLM"},
      {"text2text-generation", "ORTModelForSeq2SeqLM"},
      {"translation", "ORTModelForSeq2SeqLM"},
      {"summarization", "ORTModelForSeq2SeqLM"},
      {"image-classification", "ORTModelForImageClassification"},
      {"automatic-speech-recognition", "ORTModelForSpeechSeq2Seq"},
      {"audio-classification", "ORTModelForAudioClassification"},
  };
  auto it = classes.find(task);
  return it == classes.end() ? "ORTModel" : it->second;
}

// A device the dtype runs on in transformers.js (README's dtype × backend table): float16 needs a
// WebGPU adapter with shader-f16, so those files are shown on WASM.
std::string device_for(const std::string& dtype) { return dtype == "fp16" || dtype == "q4f16" ? "wasm" : "webgpu"; }

enum class Modality { text, image, audio };

Modality modality_of(const std::string& task) {
  static const std::map<std::string, Modality> tasks = {
      {"image-classification", Modality::image},
      {"image-feature-extraction", Modality::image},
      {"zero-shot-image-classification", Modality::image},
      {"object-detection", Modality::image},
      {"image-segmentation", Modality::image},
      {"background-removal", Modality::image},
      {"audio-classification", Modality::audio},
      {"automatic-speech-recognition", Modality::audio},
  };
  auto it = tasks.find(task);
  return it == tasks.end() ? Modality::text : it->second;
}

// Sample inputs of transformers.js 4.3.1's own documentation (its pipelines take a URL).
constexpr std::string_view kImageUrl =
    "https://huggingface.co/datasets/Xenova/transformers.js-docs/resolve/main/tiger.jpg";
constexpr std::string_view kAudioUrl =
    "https://huggingface.co/datasets/Xenova/transformers.js-docs/resolve/main/jfk.wav";

// The transformers class that loads the folder's preprocessing files for Optimum's model, and its variable.
std::pair<std::string, std::string> python_processor(const std::string& task) {
  if (task == "zero-shot-image-classification" || task == "automatic-speech-recognition")
    return {"AutoProcessor", "processor"};
  if (modality_of(task) == Modality::image) return {"AutoImageProcessor", "processor"};
  if (modality_of(task) == Modality::audio) return {"AutoFeatureExtractor", "feature_extractor"};
  return {"AutoTokenizer", "tokenizer"};
}

std::string example_input(const std::string& task) {
  if (task == "zero-shot-image-classification") return "\"" + std::string(kImageUrl) + "\", [\"tiger\", \"cat\"]";
  if (modality_of(task) == Modality::image) return "\"" + std::string(kImageUrl) + "\"";
  if (modality_of(task) == Modality::audio) return "\"" + std::string(kAudioUrl) + "\"";
  if (task == "fill-mask") return "\"The capital of France is [MASK].\"";
  if (task == "question-answering") return "\"Who lives in Berlin?\", \"My name is Wolfgang and I live in Berlin.\"";
  if (task == "zero-shot-classification") return "\"I love this movie\", [\"cinema\", \"travel\"]";
  return "\"I love this movie\"";
}

// `modelexport run` arguments for the example input.
std::string run_arguments(const std::string& task) {
  if (task == "zero-shot-image-classification") return "tiger.jpg --labels tiger cat";
  if (modality_of(task) == Modality::image) return "tiger.jpg";
  if (modality_of(task) == Modality::audio) return "jfk.wav";
  if (task == "question-answering")
    return "--question \"Who lives in Berlin?\" \"My name is Wolfgang and I live in Berlin.\"";
  if (task == "zero-shot-classification") return "\"I love this movie\" --labels cinema travel";
  if (task == "fill-mask") return "\"The capital of France is [MASK].\"";
  return "\"I love this movie\"";
}

std::string file_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string repo_id(const ModelCard& c) { return c.name.empty() ? "ORG/NAME" : c.name; }

}  // namespace

std::string model_card_front_matter_value(std::string_view readme, std::string_view key) {
  if (readme.substr(0, 3) != "---") return {};
  std::string_view front = readme.substr(0, readme.find("\n---", 3));
  const std::regex re("(^|\\n)" + std::string(key) + R"(:[ \t]*['"]?([A-Za-z0-9._/-]+)['"]?[ \t\r]*(\n|$))");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(front.begin(), front.end(), m, re)) return m[2].str();
  return {};
}

bool has_model_card_marker(std::string_view readme) { return readme.find(kMarker) != std::string_view::npos; }

std::string model_card_file_section(const ModelCard& c, const ModelCardFile& f) {
  std::string s = "\n## `" + f.path + "` (dtype " + f.dtype + ")\n\n";
  s += "```js\nimport { pipeline } from \"@huggingface/transformers\";\n\n";
  s += "const pipe = await pipeline(\"" + c.task + "\", \"" + repo_id(c) + "\", { dtype: \"" + f.dtype +
       "\", device: \"" + device_for(f.dtype) + "\" });\n";
  s += "console.log(await pipe(" + example_input(c.task) + "));\n```\n";
  if (f.dtype == "fp16" || f.dtype == "q4f16")
    s += "\nOn WebGPU this file needs an adapter with `shader-f16`; `device: \"wasm\"` runs everywhere.\n";
  if (!f.settings.empty()) {
    s += "\nQuantization settings:\n\n| setting | value |\n|---|---|\n";
    for (const auto& [k, v] : f.settings) s += "| " + k + " | " + v + " |\n";
  }
  if (!f.measured.empty()) {
    s += "\nMeasured by `modelexport quantize` on this file:\n\n| measured | value |\n|---|---|\n";
    for (const auto& [k, v] : f.measured) s += "| " + k + " | " + v + " |\n";
  }
  return s;
}

std::string model_card_text(const ModelCard& c) {
  bool quantized = false;
  for (const auto& f : c.files) quantized |= f.dtype != "fp32";
  std::string s = "---\nlibrary_name: transformers.js\n";
  if (!c.task.empty()) s += "pipeline_tag: " + c.task + "\n";
  if (!c.base_model.empty()) s += "base_model: " + c.base_model + "\n";
  if (!c.license.empty()) s += "license: " + c.license + "\n";
  s += "tags:\n- onnx\n- transformers.js\n";
  if (quantized) s += "- quantized\n";
  s += "- modelexport\n---\n" + std::string(kMarker) + "\n\n";
  s += "# " + (c.name.empty() ? std::string("ONNX model") : c.name) + " (ONNX)\n\n";
  if (!c.base_model.empty()) s += "ONNX weights of [" + c.base_model + "](https://huggingface.co/" + c.base_model + ")";
  else s += "ONNX weights";
  const std::string files = modality_of(c.task) == Modality::text ? "tokenizer" : "preprocessor";
  s += " in the layout transformers.js and Optimum load: `onnx/` holds the models, the configuration and " + files +
       " files sit beside it.\n";
  const ModelCardFile* first = c.files.empty() ? nullptr : &c.files.front();
  const std::string path = first ? first->path : "onnx/model.onnx";
  s += "\n## Usage\n\n### transformers.js\n\n";
  s += "```js\nimport { pipeline } from \"@huggingface/transformers\";\n\n";
  const std::string dtype = first ? first->dtype : "fp32";
  s += "const pipe = await pipeline(\"" + c.task + "\", \"" + repo_id(c) + "\", { dtype: \"" + dtype +
       "\", device: \"" + device_for(dtype) + "\" });\n";
  s += "console.log(await pipe(" + example_input(c.task) + "));\n```\n";
  s += "\n### Optimum (Python)\n\n```python\nfrom optimum.onnxruntime import " + optimum_class(c.task) + "\n";
  const auto [processor_class, processor] = python_processor(c.task);
  s += "from transformers import " + processor_class + "\n\n";
  s += "model = " + optimum_class(c.task) + ".from_pretrained(\"" + repo_id(c) +
       "\", subfolder=\"onnx\", file_name=\"" + file_name(path) + "\")\n";
  s += processor + " = " + processor_class + ".from_pretrained(\"" + repo_id(c) + "\")\n```\n";
  s += "\n### modelexport (C++, no Python)\n\nEvery file carries its configuration and " + files +
       " files in its ONNX metadata:\n\n```sh\nmodelexport run " + path + " " + run_arguments(c.task) + "\n```\n";
  for (const auto& f : c.files)
    if (f.dtype != "fp32" || !f.settings.empty() || !f.measured.empty()) s += model_card_file_section(c, f);
  return s;
}

ModelCard model_card_from_metadata(const ModelMetadata& metadata) {
  ModelCard card;
  card.task = metadata.get(keys::kPipelineTask).value_or("");
  if (auto v = metadata.get(keys::kExportConfig)) {
    Json ec = Json::parse(*v, nullptr, /*allow_exceptions=*/false);
    auto text = [&ec](const char* key) {
      return ec.is_object() && ec.contains(key) && ec[key].is_string() ? ec[key].get<std::string>() : std::string();
    };
    card.base_model = text("hub_id");
    card.license = text("license");
    card.name = card.base_model.empty() ? text("source") : card.base_model;
  }
  return card;
}

}  // namespace modelexport::metadata
