// ChatTemplate: picks the template and special tokens as transformers does and renders through the
// engine (templates/engine.h). Reference: transformers 4.5x tokenization_utils_base.py
// (get_chat_template, apply_chat_template) and utils/chat_template_utils.py (render_jinja_template).
#include "modelexport/processors/chat_template.h"

#include <nlohmann/json.hpp>

#include "common/json_util.h"

namespace modelexport::processors {

using OJson = nlohmann::ordered_json;

struct ChatTemplate::Impl {
  std::string source;
  std::string special_tokens_json;
};

namespace {

OJson parse_object(std::string_view text, std::string_view what) {
  check_json_syntax(text, what);  // names the file, line and column on bad JSON
  OJson j = OJson::parse(text);
  if (!j.is_object()) throw ProcessorReconstructionError(std::string(what) + ": expected a JSON object");
  return j;
}

// A special token is a string or an AddedToken object {"content": ...}.
std::optional<std::string> token_text(const OJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return std::nullopt;
}

std::string special_tokens_of(const OJson& config) {
  OJson out = OJson::object();
  for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
    auto it = config.find(key);
    if (it == config.end()) continue;
    if (auto t = token_text(*it)) out[key] = *t;
  }
  auto it = config.find("additional_special_tokens");
  if (it != config.end() && it->is_array()) {
    OJson list = OJson::array();
    for (const auto& v : *it)
      if (auto t = token_text(v)) list.push_back(*t);
    out["additional_special_tokens"] = list;
  }
  return out.dump();
}

// "chat_template": a string, or a list of {"name", "template"} (transformers' named templates).
std::string select_template(const OJson& value, std::string_view name, const std::string& where) {
  if (value.is_string()) {
    if (!name.empty() && name != "default")
      throw ProcessorReconstructionError(where + ": has a single chat template, not one named '" + std::string(name) + "'");
    return value.get<std::string>();
  }
  if (!value.is_array()) throw ProcessorReconstructionError(where + ": chat_template: expected a string or a list of {name, template}");
  std::string names;
  const OJson* only = value.size() == 1 ? &value[0] : nullptr;
  for (size_t i = 0; i < value.size(); ++i) {
    const OJson& e = value[i];
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("template") || !e["template"].is_string())
      throw ProcessorReconstructionError(where + ": chat_template[" + std::to_string(i) +
                                         "]: expected an object with string 'name' and 'template'");
    std::string n = e["name"].get<std::string>();
    if (n == (name.empty() ? std::string_view("default") : name)) return e["template"].get<std::string>();
    names += (names.empty() ? "" : ", ") + n;
  }
  if (name.empty() && only) return (*only)["template"].get<std::string>();
  throw ProcessorReconstructionError(where + ": no chat template named '" + std::string(name.empty() ? "default" : name) +
                                     "' (templates: " + names + ")");
}

}  // namespace

ChatTemplate::ChatTemplate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;
ChatTemplate::~ChatTemplate() = default;

ChatTemplate ChatTemplate::from_source(std::string source, std::string special_tokens_json) {
  parse_object(special_tokens_json, "special tokens");
  auto impl = std::make_shared<Impl>();
  impl->source = std::move(source);
  impl->special_tokens_json = std::move(special_tokens_json);
  return ChatTemplate(std::move(impl));
}

ChatTemplate ChatTemplate::from_files(std::string_view tokenizer_config_json, std::string_view chat_template_jinja,
                                      std::string_view chat_template_json, std::string_view name) {
  OJson config = tokenizer_config_json.empty() ? OJson::object() : parse_object(tokenizer_config_json, "tokenizer_config.json");
  std::string tokens = special_tokens_of(config);
  if (!chat_template_jinja.empty()) {
    if (!name.empty() && name != "default")
      throw ProcessorReconstructionError("chat_template.jinja: has a single chat template, not one named '" + std::string(name) + "'");
    return from_source(std::string(chat_template_jinja), tokens);
  }
  if (!chat_template_json.empty()) {
    OJson j = parse_object(chat_template_json, "chat_template.json");
    if (j.contains("chat_template")) return from_source(select_template(j["chat_template"], name, "chat_template.json"), tokens);
  }
  auto it = config.find("chat_template");
  if (it != config.end() && !it->is_null()) return from_source(select_template(*it, name, "tokenizer_config.json"), tokens);
  throw ProcessorReconstructionError(
      "no chat template: looked for chat_template.jinja, chat_template.json's \"chat_template\" and "
      "tokenizer_config.json's \"chat_template\"");
}

ChatTemplate ChatTemplate::from_model_files(const metadata::ModelFiles& files, std::string_view name) {
  auto text = [&](const char* n) -> std::string_view {
    const std::string* s = files.get(n);
    return s ? std::string_view(*s) : std::string_view();
  };
  try {
    return from_files(text("tokenizer_config.json"), text("chat_template.jinja"), text("chat_template.json"), name);
  } catch (const ProcessorReconstructionError& e) {
    throw ProcessorReconstructionError(files.source + ": " + e.what());
  }
}

const std::string& ChatTemplate::source() const { return impl_->source; }
const std::string& ChatTemplate::special_tokens_json() const { return impl_->special_tokens_json; }

std::string ChatTemplate::render(std::string_view, const RenderOptions&) const {
  throw TemplateError("chat templates: the Jinja engine is not built yet");
}

}  // namespace modelexport::processors
