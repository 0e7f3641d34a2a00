// Numerics of ONNX Runtime's MLAS BlockwiseQuantizer<float, block, 4, columnwise> (q4_dq.cpp:
// range2scale / range2scalezp and quantizeAndTranspose), written from its description in
// include/modelexport/quantize/blockwise.h.
#include "modelexport/quantize/blockwise.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "modelexport/common/error.h"

namespace modelexport::quantize {

namespace {

struct BlockParams {
  float scale;
  uint8_t zero_point;
};

BlockParams params_from_range(float lo, float hi, bool symmetric) {
  if (symmetric) {
    float m = std::fabs(hi) > std::fabs(lo) ? hi : lo;  // the minimum on a tie, as range2scale
    return {-m / 8.0f, 8};
  }
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float scale = (hi - lo) / 15.0f;
  float zp = lo;
  if (scale != 0.0f) zp = 0.0f - lo / scale;
  uint8_t z = zp < 0.0f ? 0 : zp > 15.0f ? 15 : static_cast<uint8_t>(std::roundf(zp));
  return {scale, z};
}

// roundf(v) for |v| < 2^23 (half away from zero), in a form the compiler vectorizes: truncate, then
// step away from zero when the dropped fraction is at least one half. Exact: v - t is exact here.
inline int32_t round_half_away(float v) {
  auto t = static_cast<int32_t>(v);
  float frac = v - static_cast<float>(t);
  return t + (frac >= 0.5f) - (frac <= -0.5f);
}

// A NaN or infinity has no 4- or 8-bit code: refused before any arithmetic, naming the element
// (`index` formats its position).
template <typename Index>
void require_finite(const float* w, size_t count, std::string_view what, Index index) {
  for (size_t i = 0; i < count; ++i)
    if (!std::isfinite(w[i]))
      throw FormatError(std::string(what) + ": element " + index(i) + " is " +
                        (std::isnan(w[i]) ? "NaN"
                         : w[i] > 0       ? "+infinity"
                                          : "-infinity") +
                        "; quantizing needs finite weights");
}

// 1 / scale, or 0 when the scale is zero or so small that its reciprocal is not a float.
float reciprocal_of(float scale) {
  if (scale == 0.0f) return 0.0f;
  const float r = 1.0f / scale;
  return std::isfinite(r) ? r : 0.0f;
}

// Columns [n0, n1) in chunks of kChunk columns, one block of rows at a time, reading B row by row
// (contiguous) and packing each column's block from a small nibble tile: the numbers of the column
// walk, in cache-friendly order.
constexpr int64_t kChunk = 256;

void quantize_columns(const float* b, Q4Weights& q, bool symmetric, int64_t n0, int64_t n1) {
  const int64_t K = q.K, N = q.N, bs = q.block_size, blob = bs / 2, zp_cols = (q.k_blocks + 1) / 2;
  std::vector<float> lo(kChunk), hi(kChunk), reciprocal(kChunk), zps(kChunk);
  std::vector<uint8_t> tile(static_cast<size_t>(bs * kChunk));
  for (int64_t c0 = n0; c0 < n1; c0 += kChunk) {
    const int64_t width = std::min(kChunk, n1 - c0);
    for (int64_t blk = 0; blk < q.k_blocks; ++blk) {
      const int64_t k0 = blk * bs, k1 = std::min(K, k0 + bs), rows = k1 - k0;
      std::fill(lo.begin(), lo.end(), std::numeric_limits<float>::max());
      std::fill(hi.begin(), hi.end(), -std::numeric_limits<float>::max());
      for (int64_t k = k0; k < k1; ++k) {
        const float* row = b + k * N + c0;
        for (int64_t j = 0; j < width; ++j) {
          lo[j] = row[j] < lo[j] ? row[j] : lo[j];
          hi[j] = row[j] > hi[j] ? row[j] : hi[j];
        }
      }
      for (int64_t j = 0; j < width; ++j) {
        const int64_t n = c0 + j;
        BlockParams p = params_from_range(lo[j], hi[j], symmetric);
        q.scales[n * q.k_blocks + blk] = p.scale;
        reciprocal[j] = reciprocal_of(p.scale);
        zps[j] = static_cast<float>(p.zero_point);
        if (!symmetric) {
          uint8_t& z = q.zero_points[n * zp_cols + blk / 2];
          z = (blk % 2 == 0) ? static_cast<uint8_t>((z & 0xF0) | p.zero_point) : static_cast<uint8_t>((z & 0x0F) | (p.zero_point << 4));
        }
      }
      for (int64_t i = 0; i < rows; ++i) {
        const float* row = b + (k0 + i) * N + c0;
        uint8_t* t = tile.data() + i * kChunk;
        for (int64_t j = 0; j < width; ++j) {
          float v = row[j] * reciprocal[j];  // two statements: no fused multiply-add, as MLAS
          v = v + zps[j];
          int32_t r = round_half_away(v);
          t[j] = static_cast<uint8_t>(r < 0 ? 0 : r > 15 ? 15 : r);
        }
      }
      for (int64_t j = 0; j < width; ++j) {
        uint8_t* out = q.data.data() + ((c0 + j) * q.k_blocks + blk) * blob;
        for (int64_t i = 0; i < rows; ++i) out[i / 2] |= static_cast<uint8_t>(tile[i * kChunk + j] << (i % 2 ? 4 : 0));
      }
    }
  }
}

}  // namespace

Q4Weights quantize_q4(const float* b, int64_t K, int64_t N, int64_t block_size, bool symmetric, unsigned threads,
                      std::string_view what) {
  if (block_size < 16 || block_size > 256 || (block_size & (block_size - 1)) != 0)
    throw UsageError("block size " + std::to_string(block_size) + " is not a power of two from 16 to 256");
  if (K <= 0 || N <= 0) throw UsageError("cannot quantize an empty weight");
  require_finite(b, static_cast<size_t>(K * N), what, [&](size_t i) {
    return "[" + std::to_string(i / static_cast<size_t>(N)) + ", " + std::to_string(i % static_cast<size_t>(N)) +
           "] of [" + std::to_string(K) + ", " + std::to_string(N) + "]";
  });
  Q4Weights q;
  q.K = K, q.N = N, q.block_size = block_size, q.k_blocks = (K + block_size - 1) / block_size;
  q.data.assign(static_cast<size_t>(N * q.k_blocks * (block_size / 2)), 0);
  q.scales.assign(static_cast<size_t>(N * q.k_blocks), 0.0f);
  // Padding nibbles of zero points are 8, as MLAS leaves them.
  if (!symmetric) q.zero_points.assign(static_cast<size_t>(N * ((q.k_blocks + 1) / 2)), 0x88);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Small weights are not worth a thread.
  if (K * N < (1 << 16)) threads = 1;
  threads = static_cast<unsigned>(std::min<int64_t>(threads, N));
  std::vector<std::thread> pool;
  int64_t per = (N + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(quantize_columns, b, std::ref(q), symmetric, std::min<int64_t>(N, t * per), std::min<int64_t>(N, (t + 1) * per));
  quantize_columns(b, q, symmetric, 0, std::min<int64_t>(N, per));
  for (auto& t : pool) t.join();
  return q;
}

std::vector<float> dequantize_q4(const Q4Weights& q) {
  std::vector<float> out(static_cast<size_t>(q.K * q.N));
  const int64_t blob = q.block_size / 2, zp_cols = (q.k_blocks + 1) / 2;
  for (int64_t n = 0; n < q.N; ++n)
    for (int64_t k = 0; k < q.K; ++k) {
      int64_t blk = k / q.block_size, i = k % q.block_size;
      uint8_t byte = q.data[(n * q.k_blocks + blk) * blob + i / 2];
      int v = i % 2 == 0 ? byte & 0xF : byte >> 4;
      int zp = 8;
      if (!q.zero_points.empty()) {
        uint8_t z = q.zero_points[n * zp_cols + blk / 2];
        zp = blk % 2 == 0 ? z & 0xF : z >> 4;
      }
      out[k * q.N + n] = static_cast<float>(v - zp) * q.scales[n * q.k_blocks + blk];
    }
  return out;
}

}  // namespace modelexport::quantize

namespace modelexport::quantize {

Q8Weights quantize_q8(const float* w, size_t count, bool is_signed, std::string_view what) {
  require_finite(w, count, what, [](size_t i) { return std::to_string(i); });
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < count; ++i) lo = std::min(lo, w[i]), hi = std::max(hi, w[i]);
  Q8Weights q;
  q.is_signed = is_signed;
  const float qmin = is_signed ? -127.0f : 0.0f, qmax = is_signed ? 127.0f : 255.0f;
  if (is_signed) {
    float m = std::max(std::fabs(lo), std::fabs(hi));
    lo = -m, hi = m;
  }
  q.scale = (hi - lo) / (qmax - qmin);
  if (q.scale < std::numeric_limits<float>::min()) q.scale = 1.0f;
  q.zero_point = is_signed ? 0 : static_cast<int32_t>(std::nearbyint(qmin - lo / q.scale));
  q.data.resize(count);
  const float zp = static_cast<float>(q.zero_point);
  for (size_t i = 0; i < count; ++i) {
    float v = std::nearbyint(w[i] / q.scale) + zp;  // round half to even, as numpy
    v = std::min(std::max(v, qmin), qmax);
    q.data[i] = is_signed ? static_cast<uint8_t>(static_cast<int8_t>(v)) : static_cast<uint8_t>(v);
  }
  return q;
}

}  // namespace modelexport::quantize
