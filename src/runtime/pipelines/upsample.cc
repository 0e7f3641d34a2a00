// torch 1.13's bilinear interpolate (align_corners=False) in float32, bit for bit: see upsample.h.
#include "runtime/pipelines/upsample.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace modelexport::runtime {
namespace {

bool cpu_has_avx2_fma() {
#if defined(__x86_64__)
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

struct Taps {
  const float* r0;  // input row i0 of the height axis
  const float* r1;  // input row i1
  float h0, h1;
};

// upsample_generic_Nd_kernel_impl as torch's AVX2 build compiles it: Interpolate<1> is
// fma(a, w0, b * w1) along the width, Interpolate<2> fma(t0, h0, t1 * h1) along the height. With the
// "fma" target std::fma is one instruction; elsewhere it is libm's exact fmaf.
#if defined(__x86_64__)
__attribute__((target("fma")))
#endif
void generic_fma_row(const Taps& t, const int* i0, const int* i1, const float* w0, const float* w1, int width,
                     float* out) {
  for (int x = 0; x < width; ++x) {
    const float t0 = std::fma(t.r0[i0[x]], w0[x], t.r0[i1[x]] * w1[x]);
    const float t1 = std::fma(t.r1[i0[x]], w0[x], t.r1[i1[x]] * w1[x]);
    out[x] = std::fma(t0, t.h0, t1 * t.h1);
  }
}

// The same in torch's default (no FMA) build: every product and sum rounded to float. This path runs
// only where the CPU has no FMA, so the compiler cannot have contracted it either.
void generic_plain_row(const Taps& t, const int* i0, const int* i1, const float* w0, const float* w1, int width,
                       float* out) {
  for (int x = 0; x < width; ++x) {
    const float t0 = t.r0[i0[x]] * w0[x] + t.r0[i1[x]] * w1[x];
    const float t1 = t.r1[i0[x]] * w0[x] + t.r1[i1[x]] * w1[x];
    out[x] = t0 * t.h0 + t1 * t.h1;
  }
}

// cpu_upsample_linear_channels_last's scalar loop (C = 1 is below every vector width): the weights
// h * w rounded to float, the four products (exact in double) summed in double, rounded once.
void channels_last_row(const Taps& t, const int* i0, const int* i1, const float* w0, const float* w1, int width,
                       float* out) {
  for (int x = 0; x < width; ++x) {
    const float w00 = t.h0 * w0[x], w01 = t.h0 * w1[x], w10 = t.h1 * w0[x], w11 = t.h1 * w1[x];
    const double sum =
        double(t.r0[i0[x]]) * w00 + double(t.r0[i1[x]]) * w01 + double(t.r1[i0[x]]) * w10 + double(t.r1[i1[x]]) * w11;
    out[x] = static_cast<float>(sum);
  }
}

}  // namespace

BilinearUpsample::Kernel BilinearUpsample::kernel_for(int channels, int in_h, int in_w) {
  if (channels == 1 || (in_h == 1 && in_w == 1)) return Kernel::kChannelsLast;
  return cpu_has_avx2_fma() ? Kernel::kGenericFma : Kernel::kGenericPlain;
}

BilinearUpsample::BilinearUpsample(int in_h, int in_w, int height, int width, Kernel kernel)
    : in_w_(in_w), kernel_(kernel), y_(axis(in_h, height)), x_(axis(in_w, width)) {}

BilinearUpsample::Axis BilinearUpsample::axis(int in, int out) {
  Axis a;
  a.i0.resize(out), a.i1.resize(out), a.w0.resize(out), a.w1.resize(out);
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int d = 0; d < out; ++d) {
    if (in == out) {  // compute_source_index_and_lambda: scale factor 1 copies
      a.i0[d] = a.i1[d] = d, a.w0[d] = 1.0f, a.w1[d] = 0.0f;
      continue;
    }
    double src = static_cast<double>(scale) * (d + 0.5) - 0.5;
    if (src < 0) src = 0;
    const int i0 = static_cast<int>(src);
    const float l1 = static_cast<float>(std::min(std::max(src - i0, 0.0), 1.0));
    a.i0[d] = i0;
    a.i1[d] = i0 + (i0 < in - 1 ? 1 : 0);
    a.w0[d] = 1.0f - l1;
    a.w1[d] = l1;
  }
  return a;
}

void BilinearUpsample::row(const float* plane, int y, float* out) const {
  const Taps t{plane + size_t(y_.i0[y]) * in_w_, plane + size_t(y_.i1[y]) * in_w_, y_.w0[y], y_.w1[y]};
  const int w = width();
  switch (kernel_) {
    case Kernel::kGenericFma: return generic_fma_row(t, x_.i0.data(), x_.i1.data(), x_.w0.data(), x_.w1.data(), w, out);
    case Kernel::kGenericPlain:
      return generic_plain_row(t, x_.i0.data(), x_.i1.data(), x_.w0.data(), x_.w1.data(), w, out);
    case Kernel::kChannelsLast:
      return channels_last_row(t, x_.i0.data(), x_.i1.data(), x_.w0.data(), x_.w1.data(), w, out);
  }
}

}  // namespace modelexport::runtime
