// Whisper's fallback measures (runtime/pipelines/whisper_fallback.h) as a table. Expected values from
// Python (Debian's python3 3.11, zlib, python3-torch), running transformers' code at commit 000dccdb
// written out (generation_whisper.py _retrieve_compression_ratio, _retrieve_avg_logprobs; the
// TopKLogitsWarper mask):
//   width = int(math.log2(vocab) / 8) + 1; b = b"".join(t.to_bytes(width, "little") for t in tokens)
//   len(b) / len(zlib.compress(b))
//   scores = torch.stack(rows); (scores[:len(tokens)] | tokens[-len(scores):]); log_softmax; the sum
//   of the non-eos tokens' log-probabilities / (their count + 1)
// The pipeline's measures on real generations are checked against the same rules in whisper_test.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "runtime/pipelines/whisper_fallback.h"

namespace modelexport::runtime {
namespace {

TEST(WhisperFallback, CompressionRatioAsPythonsZlib) {
  struct Case {
    std::vector<int64_t> tokens;
    size_t vocab;
    double ratio;
  };
  const std::vector<Case> cases = {
      {{50257, 50362, 440, 440, 440, 440, 440, 440, 50256}, 51864, 1.0},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 51865, 0.7142857142857143},
      {std::vector<int64_t>(40, 7), 51865, 6.153846153846154},
  };
  for (const Case& c : cases) EXPECT_DOUBLE_EQ(whisper_compression_ratio(c.tokens, c.vocab), c.ratio);
}

// Three steps of scores over a 4-token vocabulary; the sequence's input ends in token 1, the steps
// choose 2, 0 and eos (3).
WhisperStepLogprobs record(size_t top_k) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> rows = {{0.0f, 1.0f, 2.0f, -inf}, {3.0f, 0.0f, 0.0f, 1.0f}, {0.5f, 0.5f, 2.0f, 1.0f}};
  std::vector<int64_t> ids = {9, 9, 1};
  const int64_t chosen[] = {2, 0, 3};
  WhisperScoreRecorder r(top_k);
  for (size_t i = 0; i < rows.size(); ++i) {
    generation::RowState row;
    row.ids = ids;
    r.apply(row, rows[i]);
    ids.push_back(chosen[i]);
  }
  r.finish(3);
  return r.steps();
}

TEST(WhisperFallback, AverageLogprobAlignsAsPython) {
  const WhisperStepLogprobs steps = record(0);
  // Long-form: the generated tokens without the final eos; more scores than tokens: aligned.
  EXPECT_NEAR(whisper_average_logprob(steps, std::vector<int64_t>{2, 0}, 3), -0.2062011957168579, 1e-6);
  // Short-form: input + generated without the eos; tokens[-3:] = [1, 2, 0] read by steps 0..2.
  EXPECT_NEAR(whisper_average_logprob(steps, std::vector<int64_t>{9, 9, 1, 2, 0}, 3), -1.678553819656372, 1e-6);
  // A token of -inf log-probability (suppressed) makes the average -inf.
  EXPECT_TRUE(std::isinf(whisper_average_logprob(steps, std::vector<int64_t>{9, 9, 3, 2, 0}, 2)));
}

TEST(WhisperFallback, SampledScoresCarryTheTopKMask) {
  const WhisperStepLogprobs steps = record(2);
  // Step 2's row [0.5, 0.5, 2, 1] keeps its two largest: log_softmax([-inf, -inf, 2, 1]).
  EXPECT_TRUE(std::isinf(steps.previous[2]) && steps.previous[2] < 0);  // token 0: masked
  EXPECT_NEAR(steps.chosen[2], -1.3132617473602295, 1e-6);              // eos (3)
}

}  // namespace
}  // namespace modelexport::runtime
