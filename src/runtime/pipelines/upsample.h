// torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of one [h, w] float32 plane
// to [height, width], as torch 1.13's CPU kernel computes it (aten/src/ATen/native/UpSample.h
// area_pixel_compute_source_index, cpu/UpSampleKernel.cpp): scale in / out in float, source index
// (dst + 0.5) * scale - 0.5 clamped at 0, the next index clamped at the edge, and the height weights
// applied outside the width weights. Internal to the dense image pipelines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace modelexport::runtime {

class BilinearUpsample {
 public:
  BilinearUpsample(int in_h, int in_w, int height, int width)
      : in_w_(in_w), y_(axis(in_h, height)), x_(axis(in_w, width)) {}
  int height() const { return static_cast<int>(y_.i0.size()); }
  int width() const { return static_cast<int>(x_.i0.size()); }
  // Output pixel (y, x) of `plane` (in_h x in_w, row-major).
  float at(const float* plane, int y, int x) const {
    auto p = [&](int yy, int xx) { return plane[size_t(yy) * in_w_ + xx]; };
    return y_.w0[y] * (x_.w0[x] * p(y_.i0[y], x_.i0[x]) + x_.w1[x] * p(y_.i0[y], x_.i1[x])) +
           y_.w1[y] * (x_.w0[x] * p(y_.i1[y], x_.i0[x]) + x_.w1[x] * p(y_.i1[y], x_.i1[x]));
  }

 private:
  struct Axis {
    std::vector<int> i0, i1;
    std::vector<float> w0, w1;
  };
  static Axis axis(int in, int out) {
    Axis a;
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    for (int d = 0; d < out; ++d) {
      float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
      if (src < 0) src = 0;
      const int i0 = static_cast<int>(src);
      const float l1 = std::min(std::max(src - static_cast<float>(i0), 0.0f), 1.0f);
      a.i0.push_back(i0);
      a.i1.push_back(i0 + (i0 < in - 1 ? 1 : 0));
      a.w0.push_back(1.0f - l1);
      a.w1.push_back(l1);
    }
    return a;
  }
  int in_w_;
  Axis y_, x_;
};

}  // namespace modelexport::runtime
