// WhisperTimeStampLogitsProcessor, as Python transformers runs it (src/transformers/generation/
// logits_process.py of the v4.4x line, read beside models/whisper/generation_whisper.py at commit
// 000dccdb; the rules come from openai/whisper decoding.py ApplyTimestampRules). Per row, on the tokens
// after `begin_index` (the decoder prompt's length):
//  - <|notimestamps|> is never generated;
//  - timestamps come in pairs: after a timestamp that follows a timestamp, only text (or eos); after
//    a single timestamp, a timestamp or eos (every token below eos is -inf);
//  - timestamps never decrease: the tokens from <|0.00|> up to the last timestamp (exclusive when
//    the last token is a single timestamp, inclusive otherwise) are -inf;
//  - the first generated token is a timestamp no later than max_initial_timestamp_index;
//  - when the log of the summed probability of all timestamps exceeds the largest text-token
//    log-probability, every text token is -inf.
// transformers.js 4.3.1 applies only some of these (no monotonic rule, no max_initial rule).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "runtime/generation/logits_processor.h"

namespace modelexport::runtime::generation {

class WhisperTimestamps final : public LogitsProcessor {
 public:
  // `no_timestamps_token_id` + 1 is <|0.00|>; eos is the generation config's first eos id.
  WhisperTimestamps(int64_t no_timestamps_token_id, int64_t eos_token_id, size_t begin_index,
                    std::optional<int64_t> max_initial_timestamp_index);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  int64_t no_timestamps_, timestamp_begin_, eos_;
  size_t begin_index_;
  std::optional<int64_t> max_initial_;
};

}  // namespace modelexport::runtime::generation
