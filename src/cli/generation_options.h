// The generation options shared by the commands that generate text (run for text2text-generation,
// translation, summarization, text-generation; chat): one spelling, one parser, one set of messages.
//   --max-new-tokens N  --max-length N  --min-length N  --min-new-tokens N  --num-beams N
//   --num-return-sequences N  --length-penalty X  --early-stopping[=true|false|never]  --do-sample
//   --temperature X  --top-p X  --min-p X  --repetition-penalty X  --no-repeat-ngram-size N  --seed N
//   --stop TEXT (repeatable)  and, for text-generation, --return-full-text / --no-return-full-text.
// `--top-k` is registered by the caller (run shares it with the classification tasks) and passed in.
// Values are parsed here (not by CLI11) so that a bad one is a usage error naming the option and
// what it expected ("--length-penalty must be a number; got 'abc'"); range checks (num_beams >= 1,
// ...) are the generation config's (runtime/generation/generation_config.h).
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modelexport/runtime/generation.h"

namespace modelexport::cli {

struct GenerationArgs {
  std::map<std::string, std::string> values;  // long option name → its text, for the options given
  std::vector<std::string> stop;              // --stop, in order
  bool return_full_text = false, no_return_full_text = false;
  // The names of the options given (for "does not apply to this task" checks).
  std::vector<std::string> given() const;
};

// Adds the options above to `group` (an option group of the command), storing into `args`;
// `full_text`: also --return-full-text / --no-return-full-text (text-generation's).
void add_generation_options(CLI::App* group, GenerationArgs& args, bool full_text = false);
// Throws UsageError naming the option when a value does not parse, or for options that exclude each
// other. top_k: the caller's --top-k when given.
runtime::GenerationOptions to_generation_options(const GenerationArgs& args,
                                                 std::optional<int64_t> top_k = std::nullopt);

}  // namespace modelexport::cli
