#include "runtime/generation/beam_search.h"

#include <algorithm>
#include <cmath>

namespace modelexport::runtime::generation {
namespace {

constexpr float kPenalty = -1.0e9f;  // Python's -1e9 masks

// float32 division by a Python float (torch casts the scalar to the tensor's dtype).
float divide(float score, double denominator) { return score / static_cast<float>(denominator); }

}  // namespace

BeamSearch::BeamSearch(const Settings& settings, std::vector<int64_t> prompt)
    : s_(settings), beams_to_keep_(std::max<size_t>(2, 1 + settings.eos_count) * settings.num_beams) {
  running_.resize(s_.num_beams);
  finished_.resize(s_.num_beams);
  for (size_t j = 0; j < s_.num_beams; ++j) {
    running_[j].ids = prompt;
    running_[j].score = j == 0 ? 0.0f : kPenalty;
    finished_[j].score = kPenalty;
  }
  next_running_.resize(s_.num_beams);
}

std::vector<size_t> BeamSearch::step(std::span<const float> log_probs, size_t vocab, size_t cur_len,
                                     const std::function<bool(std::span<const int64_t>)>& is_hit, Sampler* sampler) {
  const size_t B = s_.num_beams, total = B * vocab, K = std::min(beams_to_keep_, total);
  acc_.resize(total);
  for (size_t j = 0; j < B; ++j)
    for (size_t t = 0; t < vocab; ++t) acc_[j * vocab + t] = log_probs[j * vocab + t] + running_[j].score;

  // Candidates: torch.topk (sorted, the lower index first among equals) or torch.multinomial on
  // softmax(accumulated) without replacement, in draw order.
  std::vector<size_t> cand;
  if (s_.do_sample && sampler) {
    cand = sampler->sample_distinct(acc_, K);
  } else {
    order_.resize(total);
    for (size_t i = 0; i < total; ++i) order_[i] = static_cast<uint32_t>(i);
    auto better = [&](uint32_t a, uint32_t b) { return acc_[a] > acc_[b] || (acc_[a] == acc_[b] && a < b); };
    std::nth_element(order_.begin(), order_.begin() + static_cast<ptrdiff_t>(K - 1), order_.end(), better);
    std::sort(order_.begin(), order_.begin() + static_cast<ptrdiff_t>(K), better);
    cand.assign(order_.begin(), order_.begin() + static_cast<ptrdiff_t>(K));
  }

  std::vector<float> cand_score(K), run_score(K);
  std::vector<bool> hit(K);
  bool all_hit = true;
  for (size_t k = 0; k < K; ++k) {
    size_t beam = cand[k] / vocab;
    int64_t token = static_cast<int64_t>(cand[k] % vocab);
    cand_score[k] = acc_[cand[k]];
    candidate_.assign(running_[beam].ids.begin(), running_[beam].ids.end());
    candidate_.push_back(token);
    hit[k] = is_hit(candidate_);
    all_hit = all_hit && hit[k];
    run_score[k] = cand_score[k] + (hit[k] ? kPenalty : 0.0f);
  }

  // Next running beams: the best num_beams candidates, the ones that hit pushed down by -1e9.
  std::vector<size_t> rank(K);
  for (size_t k = 0; k < K; ++k) rank[k] = k;
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return run_score[a] > run_score[b]; });
  std::vector<size_t> parents(B);
  for (size_t i = 0; i < B && i < K; ++i) {
    size_t k = rank[i];
    size_t beam = cand[k] / vocab;
    parents[i] = beam;
    next_running_[i].ids.assign(running_[beam].ids.begin(), running_[beam].ids.end());
    next_running_[i].ids.push_back(static_cast<int64_t>(cand[k] % vocab));
    next_running_[i].score = run_score[k];
  }

  // Finished hypotheses: merge the old ones with this step's (only hits among the first num_beams).
  bool full = std::all_of(finished_.begin(), finished_.end(), [](const Beam& b) { return b.finished; });
  double denominator = std::pow(static_cast<double>(cur_len + 1 - s_.prompt_len), s_.length_penalty);
  std::vector<float> merged(B + K);
  for (size_t j = 0; j < B; ++j) merged[j] = finished_[j].score;
  for (size_t k = 0; k < K; ++k) {
    float v = divide(cand_score[k], denominator);
    v += (full && s_.early_stopping == EarlyStopping::kTrue) ? kPenalty : 0.0f;
    v += heuristic_unsatisfied_ ? 0.0f : kPenalty;
    v += (hit[k] && k < B) ? 0.0f : kPenalty;
    merged[B + k] = v;
  }
  std::vector<size_t> mrank(B + K);
  for (size_t i = 0; i < B + K; ++i) mrank[i] = i;
  std::stable_sort(mrank.begin(), mrank.end(), [&](size_t a, size_t b) { return merged[a] > merged[b]; });
  std::vector<Beam> new_finished(B);
  for (size_t i = 0; i < B; ++i) {
    size_t m = mrank[i];
    if (m < B) {
      new_finished[i] = std::move(finished_[m]);
    } else {
      size_t k = m - B;
      size_t beam = cand[k] / vocab;
      new_finished[i].ids.assign(running_[beam].ids.begin(), running_[beam].ids.end());
      new_finished[i].ids.push_back(static_cast<int64_t>(cand[k] % vocab));
      new_finished[i].score = merged[m];
      new_finished[i].finished = hit[k] && k < B;
    }
  }
  finished_ = std::move(new_finished);
  std::swap(running_, next_running_);

  // The early-stop heuristic at the new length.
  size_t new_len = cur_len + 1;
  size_t best_len = (s_.early_stopping == EarlyStopping::kNever && s_.length_penalty > 0.0)
                        ? s_.max_length - s_.prompt_len
                        : new_len - s_.prompt_len;
  float best_possible = divide(running_[0].score, std::pow(static_cast<double>(best_len), s_.length_penalty));
  float worst = finished_[0].score;
  for (const Beam& b : finished_) worst = std::min(worst, b.score);
  bool improvable = false;
  for (const Beam& b : finished_) improvable = improvable || best_possible > (b.finished ? worst : kPenalty);
  heuristic_unsatisfied_ = heuristic_unsatisfied_ && improvable;

  bool now_full = std::all_of(finished_.begin(), finished_.end(), [](const Beam& b) { return b.finished; });
  done_ = !heuristic_unsatisfied_ || (now_full && s_.early_stopping == EarlyStopping::kTrue) || all_hit;
  return parents;
}

void BeamSearch::finalize(size_t cur_len) {
  if (done_ || cur_len <= s_.prompt_len) return;
  double denominator = std::pow(static_cast<double>(cur_len - s_.prompt_len), s_.length_penalty);
  std::vector<Beam> merged = finished_;
  for (const Beam& r : running_) {
    Beam b = r;
    b.score = divide(r.score, denominator);
    b.finished = true;
    merged.push_back(std::move(b));
  }
  std::stable_sort(merged.begin(), merged.end(), [](const Beam& a, const Beam& b) { return a.score > b.score; });
  merged.resize(s_.num_beams);
  finished_ = std::move(merged);
  done_ = true;
}

}  // namespace modelexport::runtime::generation
