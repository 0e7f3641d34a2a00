#include "cli/generation_args.h"

#include "modelexport/common/error.h"

namespace modelexport::cli {

void add_generation_options(CLI::Option_group* g, GenerationArgs& a, bool full_text) {
  auto& o = a.options;
  g->add_option("--max-new-tokens", o.max_new_tokens, "Tokens to generate at most (default: the model's, else 256)");
  g->add_option("--min-new-tokens", o.min_new_tokens, "Tokens to generate before an end-of-sequence token may end it");
  g->add_flag("--do-sample", a.do_sample, "Sample instead of greedy decoding");
  g->add_option("--temperature", o.temperature,
                "Sampling temperature (> 0; 0 falls back to greedy, as transformers does)");
  g->add_option("--top-p", o.top_p,
                "Nucleus sampling: keep the smallest set of tokens with this probability mass, in (0, 1]");
  g->add_option("--min-p", o.min_p, "Sampling: drop tokens below this fraction of the top token's probability");
  g->add_option("--repetition-penalty", o.repetition_penalty, "Penalty on tokens already in the sequence (1 = none)");
  g->add_option("--no-repeat-ngram-size", o.no_repeat_ngram_size, "Never repeat an n-gram of this size");
  g->add_option("--seed", o.seed, "Seed of the sampler (reproducible sampling)");
  g->add_option("--stop", a.stop, "Stop when the generated text contains this (repeatable)");
  g->add_option("--num-return-sequences", o.num_return_sequences, "Sequences per prompt");
  if (full_text) {
    g->add_flag("--return-full-text", a.return_full_text, "Results start with the prompt (default for text prompts)");
    g->add_flag("--no-return-full-text", a.no_return_full_text, "Results hold the generated text only");
  }
}

runtime::GenerationOptions finish_generation_options(const GenerationArgs& a, std::optional<int64_t> top_k) {
  runtime::GenerationOptions o = a.options;
  if (a.do_sample) o.do_sample = true;
  if (!a.stop.empty()) o.stop_strings = a.stop;
  if (top_k) o.top_k = *top_k;
  if (a.return_full_text && a.no_return_full_text)
    throw UsageError("--return-full-text and --no-return-full-text exclude each other");
  return o;
}

}  // namespace modelexport::cli
