#include "runtime/generation/generate.h"

#include <algorithm>
#include <random>
#include <string>

#include "modelexport/common/error.h"
#include "runtime/generation/beam_search.h"
#include "runtime/generation/sampler.h"

namespace modelexport::runtime::generation {
namespace {

bool is_eos(const GenerationConfig& c, int64_t token) {
  return std::find(c.eos_token_id.begin(), c.eos_token_id.end(), token) != c.eos_token_id.end();
}

uint64_t seed_of(const GenerationConfig& c) {
  if (c.seed) return *c.seed;
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

void check_logits(const std::vector<float>& logits, size_t rows, size_t vocab) {
  if (logits.size() != rows * vocab)
    throw RuntimeError("generation: the model wrote " + std::to_string(logits.size()) + " logits for " +
                       std::to_string(rows) + " rows of " + std::to_string(vocab) + " (expected " +
                       std::to_string(rows * vocab) + ")");
}

struct Context {
  StepModel& model;
  const GenerationConfig& config;
  const std::vector<std::vector<int64_t>>& prompts;
  size_t vocab = 0;
  size_t prompt_len = 0;  // the longest prompt (Python pads to it)
  size_t max_length = 0;  // total length, prompt_len included
  LogitsProcessorList processors;
  StopStrings stops;
  const GenerationHooks& hooks;

  RowState row_state(size_t item, std::span<const int64_t> ids, size_t generated) const {
    RowState r;
    r.ids = ids;
    r.cur_len = prompt_len + generated;
    r.prompt_len = prompt_len;
    r.batch_index = item;
    if (item < hooks.encoder_input_ids.size()) r.encoder_ids = hooks.encoder_input_ids[item];
    r.left_padding = prompt_len - prompts[item].size();
    return r;
  }
};

// Greedy search and multinomial sampling (Python's _sample), one row per batch item × num_return_sequences.
GenerationResult run_sample(Context& ctx, Streamer* streamer, const std::atomic<bool>* cancel) {
  const GenerationConfig& c = ctx.config;
  const size_t batch = ctx.prompts.size();
  const size_t per_item = c.do_sample ? static_cast<size_t>(c.num_return_sequences) : 1;
  struct Row {
    size_t item;
    std::vector<int64_t> ids;
    size_t prompt_size;
    FinishReason reason = FinishReason::kNone;
  };
  std::vector<Row> rows;
  for (size_t b = 0; b < batch; ++b)
    for (size_t k = 0; k < per_item; ++k) rows.push_back({b, ctx.prompts[b], ctx.prompts[b].size()});

  Sampler sampler(seed_of(c));
  std::vector<float> logits;
  std::vector<size_t> live;  // indices into rows, in the model's row order
  std::vector<std::vector<int64_t>> feed = ctx.prompts;
  if (streamer) streamer->put(ctx.prompts[0]);

  ctx.model.step(feed, logits);
  check_logits(logits, batch, ctx.vocab);
  if (per_item > 1) {
    std::vector<size_t> expand;
    for (size_t b = 0; b < batch; ++b)
      for (size_t k = 0; k < per_item; ++k) expand.push_back(b);
    ctx.model.select_rows(expand);
    std::vector<float> expanded(rows.size() * ctx.vocab);
    for (size_t r = 0; r < rows.size(); ++r)
      std::copy_n(logits.begin() + static_cast<ptrdiff_t>(expand[r] * ctx.vocab), ctx.vocab,
                  expanded.begin() + static_cast<ptrdiff_t>(r * ctx.vocab));
    logits.swap(expanded);
  }
  for (size_t r = 0; r < rows.size(); ++r) live.push_back(r);

  size_t generated = 0;
  feed.resize(live.size());
  for (;;) {
    for (size_t i = 0; i < live.size(); ++i) {
      Row& row = rows[live[i]];
      std::span<float> scores(logits.data() + i * ctx.vocab, ctx.vocab);
      apply_all(ctx.processors, ctx.row_state(row.item, row.ids, generated), scores);
      size_t token = c.do_sample ? sampler.sample(scores) : argmax(scores);
      row.ids.push_back(static_cast<int64_t>(token));
    }
    ++generated;
    if (streamer) streamer->put(std::span<const int64_t>(&rows[live[0]].ids.back(), 1));
    // Stopping criteria (Python: max length, stop strings, eos), then the cancel flag.
    bool cancelled = cancel && cancel->load();
    std::vector<size_t> keep;
    for (size_t i = 0; i < live.size(); ++i) {
      Row& row = rows[live[i]];
      std::span<const int64_t> gen(row.ids.data() + row.prompt_size, row.ids.size() - row.prompt_size);
      if (is_eos(c, row.ids.back())) row.reason = FinishReason::kEos;
      else if (!ctx.stops.empty() && ctx.stops.matches(gen)) row.reason = FinishReason::kStopString;
      else if (ctx.prompt_len + generated >= ctx.max_length) row.reason = FinishReason::kMaxLength;
      else if (cancelled) row.reason = FinishReason::kCancelled;
      if (row.reason == FinishReason::kNone) keep.push_back(i);
    }
    if (keep.empty()) break;
    if (keep.size() != live.size()) {
      ctx.model.select_rows(keep);
      std::vector<size_t> next;
      for (size_t i : keep) next.push_back(live[i]);
      live.swap(next);
    }
    feed.resize(live.size());
    for (size_t i = 0; i < live.size(); ++i) feed[i].assign(1, rows[live[i]].ids.back());
    ctx.model.step(feed, logits);
    check_logits(logits, live.size(), ctx.vocab);
  }
  if (streamer) streamer->end();

  GenerationResult result;
  result.sequences.resize(batch);
  for (Row& row : rows) {
    GeneratedSequence s;
    s.tokens.assign(row.ids.begin() + static_cast<ptrdiff_t>(row.prompt_size), row.ids.end());
    s.finish_reason = row.reason;
    result.sequences[row.item].push_back(std::move(s));
  }
  return result;
}

// Beam search and beam sampling (Python's _beam_search).
GenerationResult run_beams(Context& ctx, const std::atomic<bool>* cancel) {
  const GenerationConfig& c = ctx.config;
  const size_t batch = ctx.prompts.size(), B = static_cast<size_t>(c.num_beams), V = ctx.vocab;
  BeamSearch::Settings settings;
  settings.num_beams = B;
  settings.eos_count = c.eos_token_id.size();
  settings.length_penalty = c.length_penalty;
  settings.early_stopping = c.early_stopping;
  settings.prompt_len = ctx.prompt_len;
  settings.max_length = ctx.max_length;
  settings.do_sample = c.do_sample;
  std::vector<BeamSearch> items;
  for (size_t b = 0; b < batch; ++b) items.emplace_back(settings, ctx.prompts[b]);
  Sampler sampler(seed_of(c));

  std::vector<float> logits;
  ctx.model.step(ctx.prompts, logits);
  check_logits(logits, batch, V);
  std::vector<size_t> live(batch);  // batch items whose beams the model holds, in row order
  for (size_t b = 0; b < batch; ++b) live[b] = b;
  {
    std::vector<size_t> expand;
    for (size_t b = 0; b < batch; ++b)
      for (size_t j = 0; j < B; ++j) expand.push_back(b);
    ctx.model.select_rows(expand);
    std::vector<float> expanded(batch * B * V);
    for (size_t r = 0; r < expand.size(); ++r)
      std::copy_n(logits.begin() + static_cast<ptrdiff_t>(expand[r] * V), V,
                  expanded.begin() + static_cast<ptrdiff_t>(r * V));
    logits.swap(expanded);
  }

  size_t generated = 0;
  std::vector<int64_t> own_prompt_size(batch);
  for (size_t b = 0; b < batch; ++b) own_prompt_size[b] = static_cast<int64_t>(ctx.prompts[b].size());
  std::vector<std::vector<int64_t>> feed;
  for (;;) {
    const size_t cur_len = ctx.prompt_len + generated;
    std::vector<size_t> order;  // the model's next rows
    std::vector<size_t> next_live;
    for (size_t li = 0; li < live.size(); ++li) {
      size_t b = live[li];
      BeamSearch& item = items[b];
      std::span<float> rows(logits.data() + li * B * V, B * V);
      for (size_t j = 0; j < B; ++j) {
        std::span<float> scores = rows.subspan(j * V, V);
        log_softmax(scores);
        apply_all(ctx.processors, ctx.row_state(b, item.running()[j].ids, generated), scores);
      }
      auto is_hit = [&](std::span<const int64_t> ids) {
        if (is_eos(c, ids.back()) || cur_len + 1 >= ctx.max_length) return true;
        if (ctx.stops.empty()) return false;
        size_t own = static_cast<size_t>(own_prompt_size[b]);
        return ctx.stops.matches(ids.subspan(own));
      };
      std::vector<size_t> parents = item.step(rows, V, cur_len, is_hit, &sampler);
      if (!item.done()) {
        next_live.push_back(b);
        for (size_t p : parents) order.push_back(li * B + p);
      }
    }
    ++generated;
    if (next_live.empty()) break;
    if (cancel && cancel->load()) {
      for (size_t b : next_live) items[b].finalize(ctx.prompt_len + generated);
      break;
    }
    ctx.model.select_rows(order);
    live.swap(next_live);
    feed.resize(live.size() * B);
    for (size_t li = 0; li < live.size(); ++li)
      for (size_t j = 0; j < B; ++j) feed[li * B + j].assign(1, items[live[li]].running()[j].ids.back());
    ctx.model.step(feed, logits);
    check_logits(logits, feed.size(), V);
  }

  GenerationResult result;
  result.sequences.resize(batch);
  for (size_t b = 0; b < batch; ++b) {
    const auto& finished = items[b].finished();
    for (size_t k = 0; k < static_cast<size_t>(c.num_return_sequences) && k < finished.size(); ++k) {
      GeneratedSequence s;
      s.tokens.assign(finished[k].ids.begin() + own_prompt_size[b], finished[k].ids.end());
      s.score = finished[k].score;
      if (!s.tokens.empty() && is_eos(c, s.tokens.back())) s.finish_reason = FinishReason::kEos;
      else if (ctx.prompt_len + s.tokens.size() >= ctx.max_length) s.finish_reason = FinishReason::kMaxLength;
      else if (cancel && cancel->load()) s.finish_reason = FinishReason::kCancelled;
      else s.finish_reason = FinishReason::kStopString;
      result.sequences[b].push_back(std::move(s));
    }
  }
  return result;
}

}  // namespace

GenerationResult generate(StepModel& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationConfig& config, Streamer* streamer, const std::atomic<bool>* cancel,
                          GenerationHooks hooks) {
  if (prompts.empty()) throw UsageError("generation: no prompts");
  size_t prompt_len = 0;
  for (size_t b = 0; b < prompts.size(); ++b) {
    if (prompts[b].empty())
      throw UsageError(
          "generation: prompt " + std::to_string(b) +
          " is empty (a decoder-only prompt needs a token, an encoder-decoder one its decoder start token)");
    prompt_len = std::max(prompt_len, prompts[b].size());
  }
  const bool beams = config.num_beams > 1;
  if (streamer && (prompts.size() != 1 || beams || (config.do_sample && config.num_return_sequences > 1)))
    throw UsageError("generation: streaming needs one prompt, one returned sequence and no beam search (as in Python)");
  if (config.encoder_no_repeat_ngram_size > 0 && hooks.encoder_input_ids.size() != prompts.size())
    throw UsageError(
        "generation option encoder_no_repeat_ngram_size: needs the encoder input ids of each prompt "
        "(only encoder-decoder models have them)");
  const size_t vocab = model.vocab_size();
  if (vocab == 0) throw RuntimeError("generation: the model reports a vocabulary of 0 logits");

  GenerationResult result;
  result.notes = config.notes;
  int64_t max_length = config.max_length_for(prompt_len);
  if (max_length <= static_cast<int64_t>(prompt_len)) {
    // Python warns and still generates one token (its loop runs once before MaxLengthCriteria stops it).
    result.notes.push_back("the prompt has " + std::to_string(prompt_len) + " tokens but max_length is " +
                           std::to_string(max_length) + ": one token is generated; set max_new_tokens instead");
    max_length = static_cast<int64_t>(prompt_len) + 1;
  }
  Context ctx{model,
              config,
              prompts,
              vocab,
              prompt_len,
              static_cast<size_t>(max_length),
              make_logits_processors(config, vocab, prompt_len, std::move(hooks.extra_processors)),
              StopStrings(config.stop_strings, hooks.detokenize),
              hooks};
  GenerationResult r = beams ? run_beams(ctx, cancel) : run_sample(ctx, streamer, cancel);
  r.notes.insert(r.notes.begin(), result.notes.begin(), result.notes.end());
  return r;
}

}  // namespace modelexport::runtime::generation
