#include "cli/generation_options.h"

#include <charconv>
#include <cmath>

#include "modelexport/common/error.h"

namespace modelexport::cli {

namespace {

enum class Kind { kInt, kNumber, kFlag, kEarlyStopping };

struct OptionSpec {
  const char* name;
  Kind kind;
  const char* help;
};

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> list = {
      {"--max-new-tokens", Kind::kInt, "Most tokens to generate (default: the model's max_length, 20 in Python)"},
      {"--max-length", Kind::kInt, "Most tokens in all (encoder-decoder: the decoder's, its start token included)"},
      {"--min-length", Kind::kInt, "Fewest tokens in all before eos may end a sequence"},
      {"--min-new-tokens", Kind::kInt, "Fewest generated tokens before eos may end a sequence"},
      {"--num-beams", Kind::kInt, "Beam search with N beams (1: greedy or sampling)"},
      {"--num-return-sequences", Kind::kInt, "Sequences returned per input (at most --num-beams with beam search)"},
      {"--length-penalty", Kind::kNumber, "Beam search: score = log-probability / length^X (default 1)"},
      {"--early-stopping", Kind::kEarlyStopping, "Beam search: true (alone), false or never"},
      {"--do-sample", Kind::kFlag, "Sample instead of taking the most likely token"},
      {"--temperature", Kind::kNumber, "Sampling temperature (> 0; 0 falls back to greedy, as transformers does)"},
      {"--top-p", Kind::kNumber, "Sampling: nucleus probability in (0, 1]"},
      {"--min-p", Kind::kNumber, "Sampling: drop tokens below this fraction of the top token's probability"},
      {"--repetition-penalty", Kind::kNumber, "Penalty on tokens already present (> 0; 1 = off)"},
      {"--no-repeat-ngram-size", Kind::kInt, "Never repeat an n-gram of this size (0 = off)"},
      {"--seed", Kind::kInt, "Seed of the sampler (the same seed gives the same tokens)"},
  };
  return list;
}

int64_t parse_int(const std::string& option, const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw UsageError(option + " must be an integer; got '" + text + "'");
  return v;
}

double parse_number(const std::string& option, const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw UsageError(option + " must be a number; got '" + text + "'");
  return v;
}

}  // namespace

std::vector<std::string> GenerationArgs::given() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values) out.push_back(k);
  if (!stop.empty()) out.push_back("--stop");
  if (return_full_text) out.push_back("--return-full-text");
  if (no_return_full_text) out.push_back("--no-return-full-text");
  return out;
}

void add_generation_options(CLI::App* group, GenerationArgs& args, bool full_text) {
  for (const auto& s : specs()) {
    std::string name = s.name;
    if (s.kind == Kind::kFlag) {
      group->add_flag_callback(
          name, [&args, name] { args.values[name] = "true"; }, s.help);
    } else if (s.kind == Kind::kEarlyStopping) {
      group
          ->add_option_function<std::string>(
              name, [&args, name](const std::string& v) { args.values[name] = v; }, s.help)
          ->expected(0, 1)
          ->default_str("true");
    } else {
      group->add_option_function<std::string>(
          name, [&args, name](const std::string& v) { args.values[name] = v; }, s.help);
    }
  }
  group->add_option("--stop", args.stop, "Stop when the generated text contains this (repeatable)");
  if (full_text) {
    group->add_flag("--return-full-text", args.return_full_text,
                    "Results start with the prompt (default for text prompts)");
    group->add_flag("--no-return-full-text", args.no_return_full_text, "Results hold the generated text only");
  }
}

runtime::GenerationOptions to_generation_options(const GenerationArgs& args, std::optional<int64_t> top_k) {
  if (args.return_full_text && args.no_return_full_text)
    throw UsageError("--return-full-text and --no-return-full-text exclude each other");
  runtime::GenerationOptions o;
  if (!args.stop.empty()) o.stop_strings = args.stop;
  if (top_k) o.top_k = *top_k;
  for (const auto& [name, text] : args.values) {
    if (name == "--max-new-tokens") o.max_new_tokens = parse_int(name, text);
    else if (name == "--max-length") o.max_length = parse_int(name, text);
    else if (name == "--min-length") o.min_length = parse_int(name, text);
    else if (name == "--min-new-tokens") o.min_new_tokens = parse_int(name, text);
    else if (name == "--num-beams") o.num_beams = parse_int(name, text);
    else if (name == "--num-return-sequences") o.num_return_sequences = parse_int(name, text);
    else if (name == "--length-penalty") o.length_penalty = parse_number(name, text);
    else if (name == "--do-sample") o.do_sample = true;
    else if (name == "--temperature") o.temperature = parse_number(name, text);
    else if (name == "--top-p") o.top_p = parse_number(name, text);
    else if (name == "--min-p") o.min_p = parse_number(name, text);
    else if (name == "--repetition-penalty") o.repetition_penalty = parse_number(name, text);
    else if (name == "--no-repeat-ngram-size") o.no_repeat_ngram_size = parse_int(name, text);
    else if (name == "--seed") o.seed = static_cast<uint64_t>(parse_int(name, text));
    else if (name == "--early-stopping") {
      if (text.empty() || text == "true" || text == "True") o.early_stopping = runtime::EarlyStopping::kTrue;
      else if (text == "false" || text == "False") o.early_stopping = runtime::EarlyStopping::kFalse;
      else if (text == "never") o.early_stopping = runtime::EarlyStopping::kNever;
      else throw UsageError("--early-stopping takes true, false or never; got '" + text + "'");
    }
  }
  return o;
}

}  // namespace modelexport::cli
