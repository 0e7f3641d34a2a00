// ChatTemplate: picks the template and special tokens as transformers does and renders through the
// engine (templates/engine.h). Reference: transformers 4.5x tokenization_utils_base.py
// (get_chat_template, apply_chat_template) and utils/chat_template_utils.py (render_jinja_template).
#include "modelexport/processors/chat_template.h"

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "processors/templates/builtins.h"
#include "processors/templates/engine.h"

namespace modelexport::processors {

using OJson = nlohmann::ordered_json;

struct ChatTemplate::Impl {
  std::string source;
  std::string special_tokens_json;
  templates::DictData special_tokens;
  std::unique_ptr<templates::CompiledTemplate> compiled;
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
      throw ProcessorReconstructionError(where + ": has a single chat template, not one named '" + std::string(name) +
                                         "'");
    return value.get<std::string>();
  }
  if (!value.is_array())
    throw ProcessorReconstructionError(where + ": chat_template: expected a string or a list of {name, template}");
  std::string names;
  const OJson* only = value.size() == 1 ? &value[0] : nullptr;
  for (size_t i = 0; i < value.size(); ++i) {
    const OJson& e = value[i];
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("template") ||
        !e["template"].is_string())
      throw ProcessorReconstructionError(where + ": chat_template[" + std::to_string(i) +
                                         "]: expected an object with string 'name' and 'template'");
    std::string n = e["name"].get<std::string>();
    if (n == (name.empty() ? std::string_view("default") : name)) return e["template"].get<std::string>();
    names += (names.empty() ? "" : ", ") + n;
  }
  if (name.empty() && only) return (*only)["template"].get<std::string>();
  throw ProcessorReconstructionError(where + ": no chat template named '" +
                                     std::string(name.empty() ? "default" : name) + "' (templates: " + names + ")");
}

}  // namespace

ChatTemplate::ChatTemplate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;
ChatTemplate::~ChatTemplate() = default;

ChatTemplate ChatTemplate::from_source(std::string source, std::string special_tokens_json) {
  parse_object(special_tokens_json, "special tokens");
  auto impl = std::make_shared<Impl>();
  impl->compiled = std::make_unique<templates::CompiledTemplate>(source);
  impl->special_tokens = templates::variables_from_json(special_tokens_json, "special tokens");
  impl->source = std::move(source);
  impl->special_tokens_json = std::move(special_tokens_json);
  return ChatTemplate(std::move(impl));
}

ChatTemplate ChatTemplate::from_files(std::string_view tokenizer_config_json, std::string_view chat_template_jinja,
                                      std::string_view chat_template_json, std::string_view name) {
  OJson config =
      tokenizer_config_json.empty() ? OJson::object() : parse_object(tokenizer_config_json, "tokenizer_config.json");
  std::string tokens = special_tokens_of(config);
  if (!chat_template_jinja.empty()) {
    if (!name.empty() && name != "default")
      throw ProcessorReconstructionError("chat_template.jinja: has a single chat template, not one named '" +
                                         std::string(name) + "'");
    return from_source(std::string(chat_template_jinja), tokens);
  }
  if (!chat_template_json.empty()) {
    OJson j = parse_object(chat_template_json, "chat_template.json");
    if (j.contains("chat_template"))
      return from_source(select_template(j["chat_template"], name, "chat_template.json"), tokens);
  }
  auto it = config.find("chat_template");
  if (it != config.end() && !it->is_null())
    return from_source(select_template(*it, name, "tokenizer_config.json"), tokens);
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

namespace {

using templates::DictData;
using templates::Value;

// transformers' continue_final_message marker (render_jinja_template, transformers >= 4.50).
constexpr std::string_view kContinueTag = "CONTINUE_FINAL_MESSAGE_TAG ";

std::string py_strip_ws(std::string_view s, bool left) {
  std::u32string c = templates::code_points(s);
  size_t b = 0, e = c.size();
  if (left)
    while (b < e && templates::is_space(c[b])) ++b;
  while (e > b && templates::is_space(c[e - 1])) --e;
  return templates::utf8(std::u32string_view(c).substr(b, e - b));
}

Value take(DictData& d, const char* key) {
  for (auto it = d.entries.begin(); it != d.entries.end(); ++it)
    if (it->first.is_string() && it->first.str() == key) {
      Value v = it->second;
      d.entries.erase(it);
      return v;
    }
  return Value(templates::None{});
}

void check_messages(const Value& messages) {
  if (!messages.is_list())
    throw TemplateError("messages: expected a list of {\"role\": ..., \"content\": ...} objects, found " +
                        (messages.is_none() ? std::string("nothing") : messages.type_name()));
  for (size_t i = 0; i < messages.items().size(); ++i) {
    const Value& m = messages.items()[i];
    std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_dict())
      throw TemplateError(where + ": expected an object with \"role\" and \"content\", found " + m.type_name());
    const Value* role = m.dict_data().find(Value("role"));
    if (!role || !role->is_string()) throw TemplateError(where + ".role: expected a string");
  }
}

void check_dicts(const Value& list, const char* what, const char* message) {
  if (list.is_none()) return;
  if (!list.is_list()) throw TemplateError(std::string(what) + ": expected a list, found " + list.type_name());
  for (const auto& x : list.items())
    if (!x.is_dict()) throw TemplateError(message);
}

// Appends the marker to the final message's text (its content, or the last content block with "text").
std::string mark_final_message(Value& messages) {
  std::vector<Value> items = messages.items();
  if (items.empty()) throw TemplateError("continue_final_message: there are no messages to continue");
  DictData last = items.back().dict_data();
  const Value* content = last.find(Value("content"));
  std::string final_text;
  if (content && content->is_string()) {
    final_text = content->str();
    last.set(Value("content"), final_text + std::string(kContinueTag));
  } else if (content && content->is_list()) {
    std::vector<Value> blocks = content->items();
    bool found = false;
    for (size_t i = blocks.size(); i-- > 0 && !found;) {
      if (!blocks[i].is_dict()) continue;
      DictData block = blocks[i].dict_data();
      const Value* text = block.find(Value("text"));
      if (!text) continue;
      if (!text->is_string()) throw TemplateError("continue_final_message: the final message's text is not a string");
      final_text = text->str();
      block.set(Value("text"), final_text + std::string(kContinueTag));
      blocks[i] = Value::dict(std::move(block));
      found = true;
    }
    if (!found)
      throw TemplateError(
          "continue_final_message is set but we could not find any text to continue in the final message!");
    last.set(Value("content"), Value::list(std::move(blocks)));
  } else {
    throw TemplateError("continue_final_message: the final message has no string content to continue");
  }
  items.back() = Value::dict(std::move(last));
  messages = Value::list(std::move(items));
  return final_text;
}

}  // namespace

std::string ChatTemplate::render(std::string_view variables_json, const RenderOptions& options) const {
  if (options.now) {
    try {
      templates::render_time(options.now);
    } catch (const templates::EvalError& e) { throw TemplateError("RenderOptions::now: " + e.message); }
  }
  DictData vars = templates::variables_from_json(variables_json.empty() ? "{}" : variables_json, "template variables");
  bool continue_final = templates::truthy(take(vars, "continue_final_message"));
  Value add_generation_prompt = take(vars, "add_generation_prompt");
  if (add_generation_prompt.is_none()) add_generation_prompt = Value(false);
  if (continue_final && templates::truthy(add_generation_prompt))
    throw TemplateError(
        "continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you "
        "want the model to continue the final message, and add_generation_prompt when you want to add a header "
        "that will prompt it to start a new assistant message instead.");
  Value messages = take(vars, "messages");
  check_messages(messages);
  Value tools = take(vars, "tools");
  check_dicts(tools, "tools", "tools: each tool must be a JSON schema object ({\"type\": \"function\", ...})");
  Value documents = take(vars, "documents");
  check_dicts(documents, "documents", "Documents should be a list of dicts with 'title' and 'text' keys!");
  std::string final_text;
  if (continue_final) final_text = mark_final_message(messages);

  // transformers: render(messages=..., tools=..., documents=..., add_generation_prompt=...,
  // **{**special_tokens_map, **kwargs}).
  DictData all = impl_->special_tokens;
  for (auto& [k, v] : vars.entries) all.set(k, v);
  all.set(Value("messages"), messages);
  all.set(Value("tools"), tools);
  all.set(Value("documents"), documents);
  all.set(Value("add_generation_prompt"), add_generation_prompt);

  templates::Limits limits{options.max_output_bytes, options.max_loop_iterations, options.max_recursion_depth};
  std::string out;
  try {
    out = impl_->compiled->render(all, limits, options.now);
  } catch (const templates::EvalError& e) {
    if (e.raised) throw TemplateError(e.message);
    throw TemplateError("chat template: line " + std::to_string(e.line) + ": " + e.message);
  }
  if (continue_final) {
    std::string tag = py_strip_ws(kContinueTag, true);
    if (out.find(py_strip_ws(final_text, true)) == std::string::npos || out.find(tag) == std::string::npos)
      throw TemplateError(
          "continue_final_message is set but the final message does not appear in the chat after applying the chat "
          "template! This can happen if the chat template deletes portions of the final message. Please verify the "
          "chat template and final message in your chat to ensure they are compatible.");
    size_t loc = out.rfind(tag);
    if (out.compare(loc, kContinueTag.size(), kContinueTag) == 0) {
      out.resize(loc);
    } else {
      out = out.substr(0, loc);
      std::u32string c = templates::code_points(out);
      size_t e = c.size();
      while (e > 0 && templates::is_space(c[e - 1])) --e;
      out = templates::utf8(std::u32string_view(c).substr(0, e));
    }
  }
  return out;
}

}  // namespace modelexport::processors
