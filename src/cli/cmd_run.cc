// modelexport run MODEL.onnx [TEXT...] [--task T] [--input FILE.jsonl] [--top-k K] [task options] [--json]
// Runs the pipeline of the model's task (hf_pipeline_task, or --task) on the inputs, batched.
// --input lines: {"text"}, {"text","text_pair"}, {"question","context"}, {"text","labels"},
// {"messages": [...]} (text-generation chat input), {"input_ids": [...]} (text-generation from token
// ids), {"image"} / {"image","labels"} (image models, whose TEXT arguments are image files).
// --json prints one JSON line per input, shaped as transformers.js' pipeline returns it.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/generation_options.h"
#include "cli/output.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/logging.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::cli {
namespace {

struct RunArgs {
  std::string model, input, task, question;
  std::vector<std::string> texts, labels;
  std::vector<std::string> input_ids;  // --input-ids: one prompt of comma-separated token ids each
  runtime::PipelineOptions options;
  size_t top_k = 0;
  uint64_t max_image_pixels = processors::ImageDecodeOptions{}.max_pixels;
  int threads = 0;
  std::vector<std::string> providers;
  bool json = false, normalize = false, no_normalize = false;
  bool condition_on_prev_tokens = false;  // --condition-on-prev-tokens (Whisper long-form)
  std::vector<std::string> given;         // the options on the command line, by long name
  GenerationArgs generation;              // text-generation, text2text-generation, translation, summarization
  std::string src_lang, tgt_lang;         // translation with multilingual models
  std::string
      hypothesis_template;  // zero-shot-classification / zero-shot-image-classification (task default when empty)
};

// Generation options apply to the generating tasks only.
bool is_generation_task(const std::string& task) {
  return task == "text-generation" || task == "text2text-generation" || task == "summarization" ||
         task.rfind("translation", 0) == 0;
}

void check_generation_options_apply(const RunArgs& a, const std::string& task) {
  std::vector<std::string> given = a.generation.given();
  if (!a.src_lang.empty()) given.push_back("--src-lang");
  if (!a.tgt_lang.empty()) given.push_back("--tgt-lang");
  // Whisper's temperature fallback samples: --seed makes it repeatable.
  if (task == "automatic-speech-recognition") std::erase(given, std::string("--seed"));
  if (!given.empty() && !is_generation_task(task))
    throw UsageError(given.front() + " does not apply to " + task +
                     " (it is an option of text-generation, text2text-generation, translation and summarization)");
  if ((a.generation.return_full_text || a.generation.no_return_full_text) && task != "text-generation")
    throw UsageError(std::string(a.generation.return_full_text ? "--return-full-text" : "--no-return-full-text") +
                     " does not apply to " + task + " (it is an option of text-generation)");
  if ((!a.src_lang.empty() || !a.tgt_lang.empty()) && task.rfind("translation", 0) != 0)
    throw UsageError(std::string(a.src_lang.empty() ? "--tgt-lang" : "--src-lang") + " does not apply to " + task +
                     " (it is an option of translation)");
}

// The task options and the tasks they apply to; one given for another task is an error, not ignored.
const std::vector<std::pair<std::string, std::vector<std::string>>>& task_options() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"--top-k",
       {"text-classification", "fill-mask", "question-answering", "text-generation", "audio-classification",
        "text2text-generation", "translation", "summarization", "image-classification",
        "zero-shot-image-classification"}},
      {"--function-to-apply", {"text-classification", "image-classification"}},
      {"--pooling", {"feature-extraction", "image-feature-extraction"}},
      {"--pool", {"image-feature-extraction"}},
      {"--normalize", {"feature-extraction"}},
      {"--no-normalize", {"feature-extraction"}},
      {"--aggregation-strategy", {"token-classification"}},
      {"--ignore-labels", {"token-classification"}},
      {"--targets", {"fill-mask"}},
      {"--question", {"question-answering"}},
      {"--doc-stride", {"question-answering"}},
      {"--max-answer-len", {"question-answering"}},
      {"--max-seq-len", {"question-answering"}},
      {"--handle-impossible-answer", {"question-answering"}},
      {"--labels", {"zero-shot-classification", "zero-shot-image-classification"}},
      {"--hypothesis-template", {"zero-shot-classification", "zero-shot-image-classification"}},
      {"--multi-label", {"zero-shot-classification"}},
      {"--language", {"automatic-speech-recognition"}},
      {"--whisper-task", {"automatic-speech-recognition"}},
      {"--return-timestamps", {"automatic-speech-recognition"}},
      {"--return-language", {"automatic-speech-recognition"}},
      {"--prompt", {"automatic-speech-recognition"}},
      {"--prompt-condition-type", {"automatic-speech-recognition"}},
      {"--condition-on-prev-tokens", {"automatic-speech-recognition"}},
      {"--temperature-fallback", {"automatic-speech-recognition"}},
      {"--compression-ratio-threshold", {"automatic-speech-recognition"}},
      {"--logprob-threshold", {"automatic-speech-recognition"}},
      {"--no-speech-threshold", {"automatic-speech-recognition"}},
      {"--chunk-length-s", {"automatic-speech-recognition"}},
      {"--stride-length-s", {"automatic-speech-recognition"}},
      {"--threshold", {"object-detection"}},
      {"--output-dir", {"image-segmentation", "background-removal"}},
  };
  return table;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
  return s;
}

void check_options_apply(const RunArgs& a, const std::string& task) {
  for (const auto& [option, tasks] : task_options())
    if (std::find(a.given.begin(), a.given.end(), option) != a.given.end() &&
        std::find(tasks.begin(), tasks.end(), task) == tasks.end())
      throw UsageError(option + " does not apply to " + task + " (it is an option of " + join(tasks, " and ") + ")");
}

// An --input line's fields must be the task's: labels only for zero-shot-classification, a
// text_pair only for text-classification, question/context only for question-answering.
void check_input_fits(const Json& j, const std::string& where, const std::string& task) {
  const std::vector<std::pair<const char*, const char*>> fields = {
      {"labels", "zero-shot-classification"}, {"text_pair", "text-classification"}, {"question", "question-answering"},
      {"context", "question-answering"},      {"messages", "text-generation"},      {"input_ids", "text-generation"}};
  for (const auto& [field, owner] : fields)
    // Candidate labels are zero-shot-image-classification's input too.
    if (j.contains(field) && task != owner &&
        !(field == std::string("labels") && task == "zero-shot-image-classification"))
      throw UsageError(where + ": \"" + field + "\" does not apply to " + task + " (it is an input of " + owner + ")");
  if (task == "question-answering" && j.contains("text"))
    throw UsageError(where + ": question-answering takes {\"question\",\"context\"}, not \"text\"");
}

std::vector<std::string> string_list(const Json& j, const std::string& where) {
  if (j.is_string()) return {j.get<std::string>()};
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& v : j) {
      if (!v.is_string()) throw UsageError(where + ": \"labels\" must be strings");
      out.push_back(v.get<std::string>());
    }
  else throw UsageError(where + ": \"labels\" must be a list of strings");
  return out;
}

std::string line_name(const Json& j, const std::string& file) {
  return input_name(file) + " line " + std::to_string(j["__line"].get<size_t>());
}

runtime::PipelineInput input_from_json(const Json& j, const std::string& file) {
  std::string where = line_name(j, file);
  auto text = [&](const char* key) {
    if (!j.contains(key)) return std::string();
    if (!j[key].is_string()) throw UsageError(where + ": \"" + key + "\" must be a string");
    return j[key].get<std::string>();
  };
  runtime::PipelineInput in{text("text"), text("text_pair"), text("question"), text("context"), {}};
  in.image = text("image");
  if (j.contains("labels")) in.labels = string_list(j["labels"], where);
  if (j.contains("messages")) {
    if (!j["messages"].is_array())
      throw UsageError(where + ": \"messages\" must be a list of {\"role\", \"content\"} objects");
    // JSONL lines are read unordered: give each message "role", "content" first, as chat messages are written.
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    for (const auto& m : j["messages"]) {
      if (!m.is_object()) {
        messages.push_back(nlohmann::ordered_json::parse(m.dump()));
        continue;
      }
      nlohmann::ordered_json o = nlohmann::ordered_json::object();
      for (const char* key : {"role", "content"})
        if (m.contains(key)) o[key] = nlohmann::ordered_json::parse(m[key].dump());
      for (const auto& [key, value] : m.items())
        if (key != "role" && key != "content") o[key] = nlohmann::ordered_json::parse(value.dump());
      messages.push_back(std::move(o));
    }
    in.messages = messages.dump();
  }
  if (in.text.empty() && in.question.empty() && in.context.empty() && !j.contains("text") && !j.contains("messages") &&
      !j.contains("image") && !j.contains("input_ids"))
    throw UsageError(
        where +
        ": expected {\"text\"}, {\"text\",\"text_pair\"}, {\"question\",\"context\"}, {\"text\",\"labels\"}, "
        "{\"messages\"}, {\"input_ids\"} or {\"image\"}");
  return in;
}

// An --input line's "input_ids": a list of token ids, or a list of such lists (the [batch, sequence]
// tensor form; each row is one prompt).
std::vector<std::vector<int64_t>> input_ids_from_json(const Json& j, const std::string& where) {
  const std::string what = where +
                           ": \"input_ids\" must be a non-empty list of token ids (non-negative integers), "
                           "or a list of such lists";
  auto row = [&](const Json& r) {
    if (!r.is_array() || r.empty()) throw UsageError(what);
    std::vector<int64_t> ids;
    for (const auto& v : r) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) throw UsageError(what + " (got " + v.dump() + ")");
      ids.push_back(v.get<int64_t>());
    }
    return ids;
  };
  const Json& ids = j["input_ids"];
  if (!ids.is_array() || ids.empty()) throw UsageError(what);
  if (!ids[0].is_array()) return {row(ids)};
  std::vector<std::vector<int64_t>> rows;
  for (const auto& r : ids) rows.push_back(row(r));
  return rows;
}

// --input-ids "1,2,3": one prompt.
std::vector<int64_t> input_ids_from_text(const std::string& text) {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(item, &used);
    } catch (const std::logic_error&) { used = 0; }
    if (item.empty() || used != item.size() || id < 0)
      throw UsageError("--input-ids '" + text + "': expected comma-separated token ids (non-negative integers), got '" +
                       item + "'");
    ids.push_back(id);
    start = end + 1;
  }
  return ids;
}

// One text-generation result without --json: its text (the reply of a chat), else its token ids
// comma-separated (as --input-ids takes them).
void print_generated(const Json& item) {
  if (!item.contains("generated_text")) {
    std::string ids;
    for (const auto& id : item["generated_token_ids"])
      ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int64_t>());
    std::cout << ids << "\n";
    return;
  }
  const Json& g = item["generated_text"];
  std::cout << (g.is_string() ? g.get<std::string>() : g.back()["content"].get<std::string>()) << "\n";
}

// text-generation: a single prompt streams to the terminal as it is generated (unless --json).
int run_text_generation(RunArgs& a, const runtime::Pipeline& pipe, const std::vector<runtime::PipelineInput>& inputs,
                        bool top_k_given) {
  a.options.generation =
      to_generation_options(a.generation, top_k_given ? std::optional<int64_t>(a.top_k) : std::nullopt);
  if (a.generation.return_full_text) a.options.return_full_text = true;
  if (a.generation.no_return_full_text) a.options.return_full_text = false;
  a.options.on_note = [](std::string_view note) { std::cerr << "note: " << note << "\n"; };
  const bool stream = !a.json && inputs.size() == 1 && a.options.generation.num_return_sequences.value_or(1) == 1;
  bool streamed = false;
  if (stream && !inputs[0].input_ids.empty()) {
    // Token ids in, token ids out (and the text when the model has a tokenizer): no streaming.
    for (const auto& item : parse_json(pipe.run(inputs, a.options)[0], "result")) print_generated(item);
    return kExitOk;
  }
  if (stream) {
    const auto& in = inputs[0];
    a.options.on_text = [&](std::string_view piece) {
      if (!streamed && in.messages.empty() && a.options.return_full_text.value_or(true)) std::cout << in.text;
      streamed = true;
      std::cout << piece << std::flush;
    };
  }
  auto results = pipe.run(inputs, a.options);
  if (stream) {
    // Nothing streamed (no new text): print the result as the non-streaming path would.
    if (!streamed) {
      Json r = parse_json(results[0], "result");
      const Json& g = r[0]["generated_text"];
      std::cout << (g.is_string() ? g.get<std::string>() : g.back()["content"].get<std::string>());
    }
    std::cout << "\n";
    return kExitOk;
  }
  for (const auto& r : results) {
    if (a.json) {
      std::cout << r << "\n";
      continue;
    }
    for (const auto& item : parse_json(r, "result")) print_generated(item);
  }
  return kExitOk;
}

int run_pipeline(RunArgs a) {
  // 0 would silently mean "the default" (top_k) or be raised to 1 (batch size).
  bool top_k_given = std::find(a.given.begin(), a.given.end(), "--top-k") != a.given.end();
  if (a.options.batch_size == 0) throw UsageError("--batch-size must be at least 1");
  std::vector<runtime::PipelineInput> inputs;
  for (const auto& t : a.texts) {
    runtime::PipelineInput in;
    if (!a.question.empty()) in.question = a.question, in.context = t;
    else in.text = t;
    in.labels = a.labels;
    inputs.push_back(std::move(in));
  }
  for (const auto& ids : a.input_ids) inputs.push_back({.input_ids = input_ids_from_text(ids)});
  std::vector<Json> lines;
  if (!a.input.empty())
    for (auto& j : read_jsonl_objects(a.input)) {
      runtime::PipelineInput in = input_from_json(j, a.input);
      if (in.labels.empty()) in.labels = a.labels;
      if (j.contains("input_ids"))
        for (auto& ids : input_ids_from_json(j, line_name(j, a.input))) {
          in.input_ids = std::move(ids);
          inputs.push_back(in);
        }
      else inputs.push_back(std::move(in));
      lines.push_back(std::move(j));
    }
  if (inputs.empty())
    throw UsageError("nothing to run on: give TEXT arguments, --input FILE.jsonl (- for stdin) or --input-ids IDS");
  if (a.normalize) a.options.normalize = true;
  if (a.no_normalize) a.options.normalize = false;
  if (a.condition_on_prev_tokens) a.options.speech.condition_on_prev_tokens = true;
  runtime::SessionOptions session;
  session.intra_op_threads = a.threads;
  session.execution_providers = a.providers;
  auto pipe = runtime::pipeline(a.model, a.task, session);
  for (const auto& w : pipe->processor().files().warnings) std::cerr << "warning: " << w << "\n";
  check_options_apply(a, pipe->task());
  check_generation_options_apply(a, pipe->task());
  if (!a.input_ids.empty() && pipe->task() != "text-generation")
    throw UsageError("--input-ids does not apply to " + pipe->task() + " (it is an input of text-generation)");
  if (pipe->task() == "text-generation") return run_text_generation(a, *pipe, inputs, top_k_given);
  // The seq2seq tasks sample as text-generation does: --top-k is sampling's top-k there.
  const bool seq2seq = is_generation_task(pipe->task());
  a.options.generation =
      to_generation_options(a.generation, seq2seq && top_k_given ? std::optional<int64_t>(a.top_k) : std::nullopt);
  if (seq2seq) top_k_given = false, a.top_k = 0;
  a.options.src_lang = a.src_lang;
  a.options.tgt_lang = a.tgt_lang;
  if (top_k_given && a.top_k == 0) throw UsageError("--top-k must be at least 1");
  if (a.top_k) a.options.top_k = a.top_k;
  for (const auto& j : lines) check_input_fits(j, line_name(j, a.input), pipe->task());
  if (pipe->processor().modality() == runtime::Modality::kImage) {
    // Image models: each TEXT is an image file; --input lines are {"image": PATH, ...}.
    for (const auto& j : lines)
      if (!j.contains("image"))
        throw UsageError(line_name(j, a.input) + ": " + pipe->task() + " takes {\"image\": PATH" +
                         (pipe->task().rfind("zero-shot", 0) == 0 ? ", \"labels\"" : "") + "}");
    for (auto& in : inputs)
      if (in.image.empty()) in.image = std::move(in.text), in.text.clear();
    a.options.max_image_pixels = a.max_image_pixels;
    // Decoding threads: as many as ONNX Runtime gets (--threads), else one per core.
    if (a.threads > 0) a.options.image_threads = static_cast<size_t>(a.threads);
  } else {
    for (const auto& j : lines)
      if (j.contains("image"))
        throw UsageError(line_name(j, a.input) + ": \"image\" does not apply to " + pipe->task() +
                         " (it is an input of image models)");
    if (a.max_image_pixels != processors::ImageDecodeOptions{}.max_pixels)
      throw UsageError("--max-image-pixels does not apply to " + pipe->task() + " (it is an option of image models)");
  }
  if (!a.hypothesis_template.empty()) {
    if (pipe->task() == "zero-shot-image-classification") a.options.image_hypothesis_template = a.hypothesis_template;
    else a.options.hypothesis_template = a.hypothesis_template;
  }
  if (pipe->processor().modality() == runtime::Modality::kAudio) {
    // Audio models: each TEXT (or --input "text") is an audio file, decoded by the pipeline (Whisper
    // streams it; the others hold it whole, up to --max-audio-seconds); its notes (resampling,
    // downmix) come through on_note.
    for (auto& in : inputs) {
      in.audio = std::move(in.text);
      in.text.clear();
    }
  }
  for (const auto& [name, role] : pipe->processor().input_mapping())
    if (name != role) std::cerr << "note: model input '" << name << "' is fed " << role << "\n";
  // Say which inputs are longer than the model takes (question answering splits them into windows).
  if (auto max = pipe->processor().max_length();
      max && pipe->task() != "question-answering" && pipe->processor().modality() == runtime::Modality::kText)
    for (size_t i = 0; i < inputs.size(); ++i)
      if (size_t n = pipe->processor().untruncated_length(inputs[i].text, inputs[i].text_pair); n > *max)
        std::cerr << "note: input " << i + 1 << " is " << n << " tokens; truncated to " << *max
                  << " (the model's maximum)\n";
  if (!a.options.on_note) a.options.on_note = [](std::string_view n) { std::cerr << "note: " << n << "\n"; };
  auto results = pipe->run(inputs, a.options);
  for (size_t i = 0; i < results.size(); ++i) {
    if (a.json) {
      std::cout << results[i] << "\n";
      continue;
    }
    const auto& in = inputs[i];
    std::cout << (!in.image.empty()     ? in.image
                  : !in.audio.empty()   ? in.audio
                  : in.question.empty() ? in.text
                                        : in.question + " | " + in.context.substr(0, 60))
              << "\n  " << parse_json(results[i], "result").dump(2).substr(0, 4000) << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_verbose_flag(CLI::App* command) {
  command->add_flag_callback(
      "-v,--verbose",
      [] {
        runtime::set_log_sink([](const runtime::LogRecord& r) {
          std::cerr << "modelexport: " << r.source << " " << runtime::severity_name(r.severity) << ": " << r.message
                    << (r.location.empty() ? "" : " (" + r.location + ")") << "\n";
        });
      },
      "Show ONNX Runtime's own warnings (otherwise not shown)");
}

void add_run_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run the model's pipeline on inputs (task from the embedded metadata)");
  cmd->add_option("model", a->model, "Self-contained ONNX model")->required();
  cmd->add_option("texts", a->texts,
                  "Texts to run on (the contexts, with --question; audio files for audio models, image files for "
                  "image models)");
  cmd->add_option("--input", a->input,
                  "JSONL file (- for stdin): {\"text\"}, {\"text\",\"text_pair\"}, {\"question\",\"context\"} or "
                  "{\"text\",\"labels\"}, {\"image\"} or {\"image\",\"labels\"}, {\"messages\"} or {\"input_ids\"} "
                  "(text-generation) per line");
  cmd->add_option("--input-ids", a->input_ids,
                  "text-generation: a prompt as comma-separated token ids, e.g. 1,2,3 (repeatable; for models "
                  "without a tokenizer); prints the generated ids")
      ->allow_extra_args(false);
  cmd->add_option("--task", a->task,
                  "Task instead of the recorded one (feature-extraction, text-classification, token-classification, "
                  "fill-mask, question-answering, zero-shot-classification, text-generation, "
                  "automatic-speech-recognition (CTC), audio-classification, image-classification, "
                  "image-feature-extraction, zero-shot-image-classification; aliases sentiment-analysis, ner)");
  cmd->add_option("--top-k", a->top_k,
                  "Results per input (default 1; 5 for fill-mask and audio-classification); text-generation: "
                  "sampling's top-k (0 = off)");
  cmd->add_option("--batch-size", a->options.batch_size, "Inputs per ONNX Runtime call (default 32)");
  cmd->add_option("--threads", a->threads, "ONNX Runtime intra-op threads (default: ORT's)");
  cmd->add_option(
      "--max-image-pixels", a->max_image_pixels,
      "Image models: refuse images with more pixels (default 178956970, Pillow's decompression-bomb limit)");
  cmd->add_option("--max-audio-seconds", a->options.max_audio_seconds,
                  "Audio models that hold a whole recording (CTC, audio-classification): refuse files longer than "
                  "this (default 3600; 0: no limit; Whisper streams and takes any length)");
  cmd->add_option("--provider", a->providers,
                  "ONNX Runtime execution provider, e.g. XnnpackExecutionProvider (repeatable; CPU is the fallback)");
  cmd->add_flag("--json", a->json, "One JSON line per input, shaped like transformers.js' output");
  add_verbose_flag(cmd);
  auto* g = cmd->add_option_group("task options");
  g->add_option("--function-to-apply", a->options.function_to_apply, "text-classification: softmax, sigmoid or none");
  g->add_option("--pooling", a->options.pooling,
                "feature-extraction: none, mean, cls, last_token (default: the sentence-transformers config, else "
                "none); image-feature-extraction: none, cls, mean");
  g->add_flag("--pool", a->options.pool,
              "image-feature-extraction: the pooled output (pooler_output / image_embeds), as Python's pool=True");
  g->add_flag("--normalize", a->normalize,
              "feature-extraction: L2-normalise (default: when the model has a Normalize module)");
  g->add_flag("--no-normalize", a->no_normalize, "feature-extraction: do not normalise");
  g->add_option("--aggregation-strategy", a->options.aggregation_strategy,
                "token-classification: none, simple, first, average, max");
  g->add_option("--ignore-labels", a->options.ignore_labels, "token-classification: labels to leave out (default O)");
  g->add_option("--targets", a->options.targets, "fill-mask: score only these tokens");
  g->add_option("--question", a->question, "question-answering: the question for every TEXT (the contexts)");
  g->add_option("--doc-stride", a->options.doc_stride, "question-answering: overlap of context windows (default 128)");
  g->add_option("--max-answer-len", a->options.max_answer_len,
                "question-answering: longest answer in tokens (default 15)");
  g->add_option("--max-seq-len", a->options.max_seq_len, "question-answering: window length in tokens (default 384)");
  g->add_flag("--handle-impossible-answer", a->options.handle_impossible_answer,
              "question-answering: allow the empty answer");
  g->add_option("--labels", a->labels,
                "zero-shot-classification: candidate labels for every TEXT (zero-shot-image-classification: IMAGE)");
  g->add_option("--hypothesis-template", a->hypothesis_template,
                "zero-shot-classification: default \"This example is {}.\"; zero-shot-image-classification: "
                "\"This is a photo of {}.\"");
  g->add_flag("--multi-label", a->options.multi_label, "zero-shot-classification: score each label on its own");
  g->add_option(
      "--language", a->options.speech.language,
      "automatic-speech-recognition, multilingual Whisper: the spoken language, a code (fr), name (French) or "
      "token (<|fr|>); default: detected");
  g->add_option("--whisper-task", a->options.speech.task,
                "automatic-speech-recognition, multilingual Whisper: transcribe (default) or translate (to English)");
  g->add_flag(
      "--return-timestamps", a->options.speech.return_timestamps,
      "automatic-speech-recognition, Whisper: {\"text\", \"chunks\": [{\"timestamp\": [start, end], \"text\"}]}");
  g->add_flag("--return-language", a->options.speech.return_language,
              "automatic-speech-recognition, Whisper: chunks carry \"language\" (the language's name), as Python's "
              "return_language");
  g->add_option("--prompt", a->options.speech.prompt,
                "automatic-speech-recognition, Whisper: text the transcription continues from (Python's "
                "prompt_ids from get_prompt_ids), left out of the result");
  g->add_option("--prompt-condition-type", a->options.speech.prompt_condition_type,
                "automatic-speech-recognition, Whisper long-form: first-segment (default: the prompt before the "
                "first window only when conditioning) or all-segments (needs --condition-on-prev-tokens)");
  g->add_flag("--condition-on-prev-tokens", a->condition_on_prev_tokens,
              "automatic-speech-recognition, Whisper long-form: each window continues from the previous windows' "
              "tokens (default: generation_config.json's condition_on_prev_tokens, else off)");
  g->add_option("--temperature-fallback", a->options.speech.temperatures,
                "automatic-speech-recognition, Whisper: temperatures tried in turn per window, e.g. "
                "0,0.2,0.4,0.6,0.8,1 (Python's temperature tuple; above 0 samples, --seed for repeatable runs)")
      ->delimiter(',');
  g->add_option("--compression-ratio-threshold", a->options.speech.compression_ratio_threshold,
                "automatic-speech-recognition, Whisper: retry a window at the next temperature when its text's zlib "
                "compression ratio is above this (e.g. 1.35)");
  g->add_option("--logprob-threshold", a->options.speech.logprob_threshold,
                "automatic-speech-recognition, Whisper: retry a window when its average log-probability is below "
                "this (e.g. -1)");
  g->add_option("--no-speech-threshold", a->options.speech.no_speech_threshold,
                "automatic-speech-recognition, Whisper: skip a window whose no-speech probability is above this "
                "and whose average log-probability is below --logprob-threshold (e.g. 0.6)");
  g->add_option("--chunk-length-s", a->options.speech.chunk_length_s,
                "automatic-speech-recognition, Whisper: cut long audio into chunks of this many seconds, merged on "
                "their strides");
  g->add_option("--stride-length-s", a->options.speech.stride_length_s,
                "automatic-speech-recognition, Whisper: overlap on each side of a chunk (default chunk length / 6)");
  g->add_option("--threshold", a->options.threshold,
                "object-detection: keep boxes scoring strictly above it (default 0.5, as Python)");
  g->add_option(
      "--output-dir", a->options.output_dir,
      "image-segmentation, background-removal: folder for the PNG files (created; nothing written on failure)");
  auto* gen =
      cmd->add_option_group("generation options", "text-generation, text2text-generation, translation, summarization");
  add_generation_options(gen, a->generation, true);
  gen->add_option("--src-lang", a->src_lang, "translation, multilingual models: source language code");
  gen->add_option("--tgt-lang", a->tgt_lang, "translation, multilingual models: target language code");
  cmd->callback([a, cmd, g, &action] {
    for (const CLI::App* part : {static_cast<const CLI::App*>(cmd), static_cast<const CLI::App*>(g)})
      for (const CLI::Option* o : part->get_options())
        if (o->nonpositional() && o->count() > 0) a->given.push_back(o->get_name());
    action = [a] { return run_pipeline(*a); };
  });
}

}  // namespace modelexport::cli
