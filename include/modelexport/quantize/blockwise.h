// 4-bit blockwise weight quantization in the layout of com.microsoft MatMulNBits, with the numerics of
// ONNX Runtime's MLAS (BlockwiseQuantizer, columnwise, as ORT's MatMul4BitsQuantizer calls it):
//
//   B is [K, N] (MatMul's right operand, row major). Each column n is cut into blocks of block_size
//   consecutive k. Symmetric: m = the block's value of largest magnitude (the minimum on a tie),
//   scale = -m / 8, zero point 8. Asymmetric: lo = min(block min, 0), hi = max(block max, 0),
//   scale = (hi - lo) / 15, zero point = clamp(roundf(-lo / scale), 0, 15). Then
//   q = clamp(roundf(x * (1 / scale) + zero_point), 0, 15) in float arithmetic (a zero scale gives
//   1 / scale = 0).
//   data [N, k_blocks, block_size / 2]: two k per byte, the lower k in the low nibble; padding past K
//   is 0. scales [N, k_blocks] float. zero_points [N, ceil(k_blocks / 2)] uint8, two blocks per byte,
//   low nibble first, padding nibble 8; empty when symmetric (MatMulNBits then assumes 8).
//
//   auto q = quantize_q4(weights.data(), K, N, 32, /*symmetric=*/true);
//   std::vector<float> back = dequantize_q4(q);   // [K, N], (q - zp) * scale
//
// Thread-safety: pure functions; quantize_q4 uses up to `threads` threads (0: all cores).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace modelexport::quantize {

struct Q4Weights {
  int64_t K = 0, N = 0, block_size = 32, k_blocks = 0;
  std::vector<uint8_t> data;         // [N, k_blocks, block_size / 2]
  std::vector<float> scales;         // [N, k_blocks]
  std::vector<uint8_t> zero_points;  // [N, (k_blocks + 1) / 2]; empty when symmetric
};

// block_size: a power of two from 16 to 256. Throws UsageError otherwise. Every value must be finite:
// a NaN or infinity throws FormatError naming `what` and the element (ORT's quantizers turn them into
// undefined codes). A block whose scale is too small for its reciprocal to be a float (largest
// magnitude below about 2.4e-38) is quantized as a zero scale: every code the zero point, every
// value back as 0, within the block's largest magnitude (MLAS would convert an infinity to an int).
Q4Weights quantize_q4(const float* b, int64_t K, int64_t N, int64_t block_size, bool symmetric, unsigned threads = 0,
                      std::string_view what = "the weight");
// [K, N] row major: (q - zero_point) * scale.
std::vector<float> dequantize_q4(const Q4Weights& q);

}  // namespace modelexport::quantize

namespace modelexport::quantize {

// 8-bit per-tensor weight quantization as ONNX Runtime's quantize_dynamic does it (numpy float32
// arithmetic, round half to even): lo = min(min(w), 0), hi = max(max(w), 0); uint8 (asymmetric):
// scale = (hi - lo) / 255, zero_point = round(0 - lo / scale); int8 (symmetric): m = max(|lo|, |hi|),
// scale = 2m / 254, zero_point 0; q = clamp(round(w / scale) + zero_point, qmin, qmax) with qmin/qmax
// 0/255 or -127/127. A zero range gives scale 1.
struct Q8Weights {
  bool is_signed = false;
  float scale = 1;
  int32_t zero_point = 0;
  std::vector<uint8_t> data;  // int8 values stored as their bytes when signed
};
// Every value must be finite: a NaN or infinity throws FormatError naming `what` and the element.
Q8Weights quantize_q8(const float* w, size_t count, bool is_signed, std::string_view what = "the weight");

}  // namespace modelexport::quantize
