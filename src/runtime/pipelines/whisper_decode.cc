#include "runtime/pipelines/whisper_decode.h"

#include <algorithm>
#include <cmath>

namespace modelexport::runtime {

namespace {

// Python's round(x, 2) (round half to even on the decimal value; the binary value decides ties).
double round2(double x) { return std::nearbyint(x * 100.0) / 100.0; }

}  // namespace

std::vector<int64_t> find_longest_common_sequence(const std::vector<std::vector<int64_t>>& sequences) {
  std::vector<int64_t> total;
  if (sequences.empty()) return total;
  std::vector<int64_t> left = sequences[0];
  for (size_t s = 1; s < sequences.size(); ++s) {
    const std::vector<int64_t>& right = sequences[s];
    const size_t L = left.size(), R = right.size();
    double best = 0.0;
    size_t best_ls = L, best_le = L, best_rs = 0, best_re = 0;
    for (size_t i = 1; i < L + R; ++i) {
      const double eps = double(i) / 10000.0;  // favours long perfect matches
      const size_t ls = i < L ? L - i : 0, le = std::min(L, L + R - i);
      const size_t rs = i > L ? i - L : 0, re = std::min(R, i);
      size_t matches = 0;
      for (size_t k = 0; k < le - ls; ++k) matches += left[ls + k] == right[rs + k];
      const double matching = double(matches) / double(i) + eps;
      if (matches > 1 && matching > best) {
        best = matching;
        best_ls = ls, best_le = le, best_rs = rs, best_re = re;
      }
    }
    // The left sequence is trusted for the left half of the overlap, the right one for the rest.
    const size_t left_mid = (best_le + best_ls) / 2, right_mid = (best_re + best_rs) / 2;
    total.insert(total.end(), left.begin(), left.begin() + std::ptrdiff_t(left_mid));
    left.assign(right.begin() + std::ptrdiff_t(right_mid), right.end());
  }
  total.insert(total.end(), left.begin(), left.end());
  return total;
}

std::vector<int64_t> strip_prompt(const std::vector<int64_t>& ids, const AsrVocabulary& vocab) {
  if (ids.empty() || !vocab.prompt_token || ids.front() != *vocab.prompt_token) return ids;
  auto sot = vocab.decoder_start ? std::find(ids.begin(), ids.end(), *vocab.decoder_start) : ids.end();
  return std::vector<int64_t>(sot, ids.end());
}

AsrText decode_asr(const std::vector<AsrModelOutput>& outputs, const AsrVocabulary& vocab, const TokenDecoder& decode,
                   bool return_timestamps, bool return_language, double time_precision, size_t segment_size) {
  const int64_t tb = vocab.timestamp_begin;
  auto text_of = [&](const std::vector<int64_t>& ids) { return decode(std::vector<int32_t>(ids.begin(), ids.end())); };
  std::vector<AsrChunk> chunks;
  std::optional<std::string> last_language;
  auto new_chunk = [&] {
    AsrChunk c;
    c.language = last_language;
    return c;
  };
  AsrChunk chunk = new_chunk();
  double time_offset = 0.0;
  std::vector<std::vector<int64_t>> previous_tokens;
  bool skip = false;
  for (const AsrModelOutput& output : outputs) {
    const std::vector<int64_t> ids = strip_prompt(output.tokens, vocab);
    std::optional<int64_t> last_timestamp;
    double first_timestamp = double(tb);
    double cur_max_timestamp = 0.0, prev_segments_len = 0.0, penultimate_timestamp = 0.0;
    if (output.has_stride) {
      time_offset -= output.stride_left;
      const double right_stride_start = output.chunk_len - output.stride_right;
      if (output.stride_left != 0) first_timestamp = output.stride_left / time_precision + double(tb);
      if (output.stride_right != 0)
        for (auto it = ids.rbegin(); it != ids.rend(); ++it)
          if (*it >= tb) {
            // The last timestamp is always skipped; earlier ones inside the right stride too.
            if (last_timestamp && double(*it - tb) * time_precision < right_stride_start) break;
            last_timestamp = *it;
          }
    }
    std::vector<int64_t> current_tokens;
    for (size_t i = 0; i < ids.size(); ++i) {
      const int64_t token = ids[i];
      if (vocab.special_ids.count(token)) {
        if (auto lang = vocab.language_names.find(token); lang != vocab.language_names.end()) {
          if (last_language && lang->second != *last_language && !return_timestamps) {
            previous_tokens.push_back(current_tokens);
            chunk.text = text_of(find_longest_common_sequence(previous_tokens));
            chunks.push_back(chunk);
            previous_tokens.clear();
            current_tokens.clear();
            chunk = new_chunk();
          }
          chunk.language = lang->second;
          last_language = lang->second;
        }
      } else if (token >= tb) {
        const double timestamp = double(token - tb) * time_precision;
        if (timestamp < cur_max_timestamp) {
          // A new segment of long-form output has started.
          const bool last_was_single_ending = i >= 2 && !(ids[i - 1] >= tb && ids[i - 2] >= tb);
          if (last_was_single_ending) {
            prev_segments_len += time_precision * double(segment_size);
          } else {
            cur_max_timestamp = penultimate_timestamp;
            prev_segments_len += penultimate_timestamp;
          }
        }
        penultimate_timestamp = cur_max_timestamp;
        cur_max_timestamp = timestamp;
        const double time = round2(double(token - tb) * time_precision + time_offset + prev_segments_len);
        if (last_timestamp && token >= *last_timestamp) {
          skip = true;  // inside the right stride: resolved by the next chunk (and so is its pair)
        } else if (skip || (!previous_tokens.empty() && double(token) < first_timestamp)) {
          skip = false;
        } else if (!chunk.start) {
          chunk.start = time;
        } else if (time != *chunk.start) {  // an equal end is the model repeating a start: ignored
          chunk.end = time;
          previous_tokens.push_back(current_tokens);
          chunk.text = text_of(find_longest_common_sequence(previous_tokens));
          chunks.push_back(chunk);
          previous_tokens.clear();
          current_tokens.clear();
          chunk = new_chunk();
        }
      } else {
        current_tokens.push_back(token);
      }
    }
    if (output.has_stride) time_offset += output.chunk_len - output.stride_right;
    if (!current_tokens.empty()) {
      previous_tokens.push_back(current_tokens);
    } else if (std::none_of(previous_tokens.begin(), previous_tokens.end(), [](const auto& p) { return !p.empty(); })) {
      chunk = new_chunk();
      previous_tokens.clear();
    }
  }
  if (!previous_tokens.empty()) {
    chunk.text = text_of(find_longest_common_sequence(previous_tokens));
    chunks.push_back(chunk);
  }
  AsrText out;
  for (const AsrChunk& c : chunks) out.text += c.text;
  if (return_timestamps || return_language) out.chunks = std::move(chunks);
  return out;
}

AudioChunk chunk_at(size_t start, size_t total, size_t chunk_len, size_t stride_left, size_t stride_right) {
  const size_t end = start + chunk_len;
  AudioChunk c;
  c.start = start;
  c.length = std::min(end, total) - start;
  c.stride_left = start == 0 ? 0 : stride_left;
  c.is_last = end >= total;
  c.stride_right = c.is_last ? 0 : stride_right;
  return c;
}

std::vector<AudioChunk> chunk_audio(size_t total, size_t chunk_len, size_t stride_left, size_t stride_right) {
  std::vector<AudioChunk> out;
  const size_t step = chunk_len - stride_left - stride_right;
  for (size_t start = 0; start < total; start += step) {
    AudioChunk c = chunk_at(start, total, chunk_len, stride_left, stride_right);
    if (c.yielded()) out.push_back(c);
    if (c.is_last) break;
  }
  return out;
}

}  // namespace modelexport::runtime
