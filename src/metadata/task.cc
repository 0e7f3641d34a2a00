#include "modelexport/metadata/task.h"

#include <algorithm>
#include <regex>
#include <set>

#include "common/json_util.h"
#include "metadata/task_table.h"
#include "modelexport/common/error.h"

namespace modelexport::metadata {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct ConfigFacts {
  std::string model_type;
  bool vision = false;        // a vision tower: config keys or a vision-language model_type
  bool vision_tower = false;  // the config itself carries a vision tower
  bool audio = false;   // audio_config or an audio model_type
};

ConfigFacts facts_of(const Json& config) {
  ConfigFacts f;
  if (config.contains("model_type") && config["model_type"].is_string()) f.model_type = config["model_type"].get<std::string>();
  f.vision_tower = config.contains("vision_config") || config.contains("vision_tower");
  f.vision = f.vision_tower || config.contains("image_token_index") || config.contains("image_token_id") ||
             task_table::is_vlm_model_type(f.model_type);
  f.audio = config.contains("audio_config") || task_table::is_audio_model_type(f.model_type);
  return f;
}

// Steps 1-2: exact map, then suffix patterns refined by the config facts.
std::optional<TaskDetection> from_architecture(std::string_view arch, const ConfigFacts& facts) {
  for (const auto& [name, task] : task_table::exact_architectures())
    if (name == arch) return TaskDetection{std::string(task), "architecture-map", std::string(arch), "exact architecture map"};
  for (const auto& [suffix, task] : task_table::architecture_suffixes()) {
    if (!ends_with(arch, suffix) || arch.size() == suffix.size()) continue;
    std::string t(task);
    std::string why = "architecture name ends with '" + std::string(suffix) + "'";
    bool audio_arch = facts.audio || arch.find("Wav2Vec2") != std::string_view::npos ||
                      arch.find("Hubert") != std::string_view::npos || arch.find("WavLM") != std::string_view::npos ||
                      arch.find("UniSpeech") != std::string_view::npos || arch.find("Whisper") != std::string_view::npos;
    bool vision_arch = facts.vision || task_table::is_vision_model_type(facts.model_type) ||
                       arch.find("Vision") != std::string_view::npos;
    if (t == "@seq2seq") {
      if (audio_arch) t = "automatic-speech-recognition", why += " and the config is a speech model";
      else if (vision_arch) t = "image-text-to-text", why += " and the config has a vision tower";
      else if (task_table::is_translation_model_type(facts.model_type)) t = "translation", why += " (translation model type)";
      else t = "text2text-generation";
    } else if (t == "@base") {
      if (audio_arch) t = "feature-extraction";
      else if (vision_arch) t = "image-feature-extraction", why += " (vision backbone)";
      else t = "feature-extraction";
      why += " (a headless model)";
    } else if (t == "@pretraining") {
      t = (audio_arch || vision_arch) ? "feature-extraction" : "fill-mask";
    } else if (t == "text-classification" && audio_arch) {
      t = "audio-classification", why += " and the config is a speech model";
    } else if (t == "text-generation" && facts.vision_tower) {
      // A *ForCausalLM class of a vision-language model is its text decoder alone, unless the
      // config carries the vision tower too.
      t = "image-text-to-text", why += " and the config has a vision tower";
    }
    return TaskDetection{t, "architecture-pattern", std::string(arch), why};
  }
  return std::nullopt;
}

bool generic_label(const std::string& label) {
  static const std::regex re("LABEL_[0-9]+");
  return std::regex_match(label, re);
}

std::vector<std::string> labels_of(const Json& config) {
  std::vector<std::string> out;
  if (config.contains("id2label") && config["id2label"].is_object())
    for (const auto& [id, label] : config["id2label"].items())
      if (label.is_string()) out.push_back(label.get<std::string>());
  return out;
}

bool is_nli_labels(const std::vector<std::string>& labels) {
  bool entail = false, contra = false;
  for (const auto& l : labels) {
    std::string s = lower(l);
    entail |= s.rfind("entail", 0) == 0;
    contra |= s.rfind("contradict", 0) == 0;
  }
  return entail && contra;
}

bool in_family(std::string_view a, std::string_view b) {
  for (const auto& t : compatible_tasks(a))
    if (t == b) return true;
  return false;
}

}  // namespace

const std::vector<std::string>& known_tasks() {
  static const std::vector<std::string> tasks = [] {
    std::set<std::string> s = {"background-removal", "zero-shot-classification", "summarization", "translation",
                               "text-classification", "image-text-to-text"};
    for (const auto& [a, t] : task_table::exact_architectures()) s.insert(std::string(t));
    for (const auto& [a, t] : task_table::architecture_suffixes())
      if (t[0] != '@') s.insert(std::string(t));
    for (const auto& [a, t] : task_table::model_types()) s.insert(std::string(t));
    s.insert("image-feature-extraction");
    return std::vector<std::string>(s.begin(), s.end());
  }();
  return tasks;
}

std::string canonical_task(std::string_view name) {
  for (const auto& [alias, task] : task_table::task_aliases())
    if (alias == name) return std::string(task);
  for (const auto& t : known_tasks())
    if (t == name) return t;
  std::string list;
  for (const auto& t : known_tasks()) list += (list.empty() ? "" : ", ") + t;
  throw UsageError("unknown task '" + std::string(name) + "'; expected one of: " + list);
}

std::vector<std::string> compatible_tasks(std::string_view task) {
  std::set<std::string> out = {std::string(task)};
  for (const auto& family : task_table::task_families())
    if (std::find(family.begin(), family.end(), task) != family.end())
      for (auto t : family) out.insert(std::string(t));
  return {out.begin(), out.end()};
}

std::string model_card_pipeline_tag(std::string_view readme) {
  if (readme.substr(0, 3) != "---") return {};
  auto end = readme.find("\n---", 3);
  std::string_view front = readme.substr(0, end);
  static const std::regex re(R"((^|\n)pipeline_tag:\s*['"]?([A-Za-z0-9-]+)['"]?\s*(\r?\n|$))");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(front.begin(), front.end(), m, re)) return m[2].str();
  return {};
}

std::optional<TaskDetection> task_from_architecture(std::string_view architecture) {
  return from_architecture(architecture, ConfigFacts{});
}

TaskDetection detect_task(std::string_view config_json, const TaskHints& hints) {
  Json config = parse_json_object(config_json, "config.json");
  ConfigFacts facts = facts_of(config);
  std::vector<std::string> labels = labels_of(config);
  std::string card;
  if (!hints.model_card_pipeline_tag.empty()) {
    try {
      card = canonical_task(hints.model_card_pipeline_tag);
    } catch (const UsageError&) {
      card.clear();  // a Hub tag we have no pipeline for (e.g. "other"): ignore it
    }
  }

  std::string arch;
  if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty() &&
      config["architectures"][0].is_string())
    arch = config["architectures"][0].get<std::string>();

  if (!arch.empty()) {
    if (auto d = from_architecture(arch, facts)) {
      if (d->task == "text-classification" && is_nli_labels(labels)) {
        d->task = "zero-shot-classification";
        d->method = "labels";
        d->detail += "; the labels are an NLI head (entailment/contradiction)";
      } else if (!card.empty() && card != d->task && in_family(d->task, card)) {
        d->detail += "; the model card's pipeline_tag '" + card + "' narrows '" + d->task + "'";
        d->task = card;
        d->method = "model-card";
      }
      return *d;
    }
  }
  if (!card.empty())
    return {card, "model-card", arch, "pipeline_tag in the model card (README.md)"};
  if (config.contains("task_specific_params") && config["task_specific_params"].is_object()) {
    const auto& tsp = config["task_specific_params"];
    for (const auto& [key, value] : tsp.items()) {
      (void)value;
      if (key == "summarization") return {"summarization", "task_specific_params", arch, "task_specific_params.summarization"};
      if (key.rfind("translation", 0) == 0) return {"translation", "task_specific_params", arch, "task_specific_params." + key};
      if (key == "text-generation") return {"text-generation", "task_specific_params", arch, "task_specific_params.text-generation"};
    }
  }
  if (!facts.model_type.empty())
    for (const auto& [type, task] : task_table::model_types())
      if (type == facts.model_type) return {std::string(task), "model_type", arch, "model_type '" + facts.model_type + "'"};
  bool specific_labels = std::any_of(labels.begin(), labels.end(), [](const std::string& l) { return !generic_label(l); });
  if (specific_labels)
    return {is_nli_labels(labels) ? "zero-shot-classification" : "text-classification", "labels", arch,
            "the config names class labels (id2label)"};
  if (hints.sentence_transformers)
    return {"feature-extraction", "sentence-transformers", arch, "the folder is a sentence-transformers model (modules.json)"};
  throw TaskDetectionError("cannot detect the task: config.json has " +
                           (arch.empty() ? std::string("no architectures") : "the unrecognised architecture '" + arch + "'") +
                           (facts.model_type.empty() ? ", no model_type" : ", model_type '" + facts.model_type + "'") +
                           ", no task-specific labels and no model card pipeline_tag; pass --task");
}

}  // namespace modelexport::metadata
