// resize_image for an RGB image whose rows arrive one at a time (the JPEG decoder's scanlines), so the
// full-size image is never held: only the rows the vertical pass reads, already resampled
// horizontally, are kept. The bytes equal resize_image's (the same passes of Pillow 9.4's
// Resample.c, in resize.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "modelexport/processors/image.h"

namespace modelexport::processors::image_detail {

class RowResizer {
 public:
  // A convolution filter (not NEAREST) and sizes > 0; UsageError otherwise.
  RowResizer(int in_width, int in_height, int width, int height, Resample resample);
  ~RowResizer();
  // Source row y (in_width * 3 bytes), each row once, in any order; rows the result does not depend on are
  // skipped. Different rows may be pushed from different threads at once (each writes its own row).
  void push(int y, const uint8_t* rgb_row);
  // Source rows y .. y + n - 1, row r at rgb_rows + r * stride: the same as pushing each, faster (the
  // horizontal pass reuses each output pixel's weights over the block).
  void push_rows(int y, int n, const uint8_t* rgb_rows, size_t stride);
  // The resized image, once every row has been pushed.
  Image finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
  int in_width_ = 0;
};

// Whether the resize passes use their hand-written AVX2 code: the CPU has AVX2 and the environment
// variable MODELEXPORT_FORCE_SCALAR is unset or "0" (read once, at the first call). Setting it runs the
// scalar code on an AVX2 machine, so both paths are tested there (CTest image_test_scalar). The
// vertical pass is compiler-vectorised integer code (target_clones) and is not affected.
bool resize_uses_avx2();

}  // namespace modelexport::processors::image_detail
