// torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of [channels, h, w] float32
// planes (one batch row) to [height, width], bit for bit as torch 1.13's CPU kernels compute it
// (aten/src/ATen/native/UpSample.h area_pixel_compute_scale / compute_source_index_and_lambda,
// native/cpu/UpSampleKernel.cpp). Internal to the dense image pipelines. Measured against Debian's
// torch 1.13 (tests/runtime/upsample_test.cc runs it on random planes, scripts/golden/torch_upsample.py):
// - Per axis: scale = float(in) / float(out); the source index float scale * (dst + 0.5) - 0.5 is
//   computed in double (dst + 0.5 is a double) and clamped at 0; i0 = int(src), i1 = i0 + 1 clamped
//   at the edge, lambda1 = float(src - i0), lambda0 = 1 - lambda1 in float. Equal sizes copy.
// - torch dispatches on the memory layout: a [1, C, h, w] tensor that is also channels-last
//   contiguous (C == 1, or h == w == 1) goes through cpu_upsample_linear_channels_last, which sums
//   the four products pixel * float(h_lambda * w_lambda) in double and rounds once
//   (Kernel::kChannelsLast). Any other goes through upsample_generic_Nd_kernel_impl: each row pair
//   interpolated along the width, then along the height, t0 * h0 + t1 * h1; torch's AVX2 build (used
//   when the CPU has AVX2 and FMA) contracts each a * w0 + b * w1 to fma(a, w0, b * w1), its default
//   build does not (Kernel::kGeneric picks the one this CPU's torch would use).
// Thread-safe once built (const).
#pragma once

#include <vector>

namespace modelexport::runtime {

class BilinearUpsample {
 public:
  enum class Kernel { kGenericFma, kGenericPlain, kChannelsLast };
  // The kernel torch 1.13 runs for a [1, channels, in_h, in_w] contiguous tensor on this CPU.
  static Kernel kernel_for(int channels, int in_h, int in_w);

  BilinearUpsample(int in_h, int in_w, int height, int width, Kernel kernel);
  int height() const { return static_cast<int>(y_.i0.size()); }
  int width() const { return static_cast<int>(x_.i0.size()); }
  // Output row y of `plane` (in_h x in_w, row-major) into out[0, width).
  void row(const float* plane, int y, float* out) const;

 private:
  struct Axis {
    std::vector<int> i0, i1;
    std::vector<float> w0, w1;
  };
  static Axis axis(int in, int out);
  int in_w_;
  Kernel kernel_;
  Axis y_, x_;
};

}  // namespace modelexport::runtime
