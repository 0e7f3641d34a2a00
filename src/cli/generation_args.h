// The generation options `run --task text-generation` and `chat` share: registered on a CLI11 option
// group, turned into GenerationOptions (only what the command line set; the model's files give the rest).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "modelexport/runtime/generation.h"

namespace modelexport::cli {

struct GenerationArgs {
  runtime::GenerationOptions options;
  std::vector<std::string> stop;
  bool do_sample = false, return_full_text = false, no_return_full_text = false;
};

// --max-new-tokens --min-new-tokens --do-sample --temperature --top-p --min-p --repetition-penalty
// --no-repeat-ngram-size --seed --stop --num-return-sequences (and, with `full_text`,
// --return-full-text/--no-return-full-text). `--top-k` is registered by the caller (run shares it with
// the classification tasks) and given to finish().
void add_generation_options(CLI::Option_group* group, GenerationArgs& args, bool full_text);
// The options as set; top_k when given. Throws UsageError for values no generation can use
// (max_new_tokens <= 0 and the like are the generation config's to refuse).
runtime::GenerationOptions finish_generation_options(const GenerationArgs& args, std::optional<int64_t> top_k);

}  // namespace modelexport::cli
