// Image.resize of Pillow 9.4, reproduced from the facts of src/libImaging/Resample.c (filters,
// precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleInner), src/libImaging/Geometry.c
// (ImagingScaleAffine for NEAREST) and src/PIL/Image.py (resize: RGBA through premultiplied RGBa).
// Our own code; every arithmetic step matches Pillow's so the bytes are equal.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "modelexport/common/error.h"
#include "modelexport/processors/image.h"
#include "processors/image/row_resizer.h"

namespace modelexport::processors {

bool image_detail::resize_uses_avx2() {
  static const bool use = [] {
    const char* force = std::getenv("MODELEXPORT_FORCE_SCALAR");
    if (force && *force && std::string(force) != "0") return false;
#if defined(__x86_64__)
    return static_cast<bool>(__builtin_cpu_supports("avx2"));
#else
    return false;
#endif
  }();
  return use;
}

namespace {

// Resample.c's filters and supports.
double box_filter(double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }
double bilinear_filter(double x) {
  x = x < 0.0 ? -x : x;
  return x < 1.0 ? 1.0 - x : 0.0;
}
double hamming_filter(double x) {
  x = x < 0.0 ? -x : x;
  if (x == 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * M_PI;
  return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // float constants, as in Resample.c
}
double bicubic_filter(double x) {
  constexpr double a = -0.5;
  x = x < 0.0 ? -x : x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}
double sinc_filter(double x) {
  if (x == 0.0) return 1.0;
  x = x * M_PI;
  return std::sin(x) / x;
}
double lanczos_filter(double x) { return -3.0 <= x && x < 3.0 ? sinc_filter(x) * sinc_filter(x / 3) : 0.0; }

struct Filter {
  double (*fn)(double);
  double support;
};
Filter filter_for(Resample r) {
  switch (r) {
    case Resample::kBox: return {box_filter, 0.5};
    case Resample::kBilinear: return {bilinear_filter, 1.0};
    case Resample::kHamming: return {hamming_filter, 1.0};
    case Resample::kBicubic: return {bicubic_filter, 2.0};
    case Resample::kLanczos: return {lanczos_filter, 3.0};
    default: break;
  }
  throw UsageError("resize: no convolution filter for resample " + std::to_string(int(r)));
}

constexpr int kPrecisionBits = 32 - 8 - 2;  // Resample.c PRECISION_BITS

// One axis' taps: for output i, `count[i]` input samples from `first[i]` weighted by
// weights[i * ksize ...] in 22-bit fixed point (precompute_coeffs + normalize_coeffs_8bpc).
struct Taps {
  int ksize = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;
};

Taps precompute(int in_size, float in0, float in1, int out_size, const Filter& f) {
  Taps t;
  double scale = static_cast<double>(in1 - in0) / out_size;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = f.support * filterscale;
  t.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.first.resize(out_size);
  t.count.resize(out_size);
  t.weights.assign(size_t(out_size) * t.ksize, 0);
  std::vector<double> k(t.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    double ww = 0.0;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    for (int x = 0; x < xmax; ++x) {
      const double w = f.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x)
      if (ww != 0.0) k[x] /= ww;
    int32_t* out = &t.weights[size_t(xx) * t.ksize];
    for (int x = 0; x < xmax; ++x)
      out[x] = k[x] < 0 ? static_cast<int32_t>(-0.5 + k[x] * (1 << kPrecisionBits))
                        : static_cast<int32_t>(0.5 + k[x] * (1 << kPrecisionBits));
    t.first[xx] = xmin;
    t.count[xx] = xmax;
  }
  return t;
}

inline uint8_t clip8(int v) {
  v >>= kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// The horizontal pass of one row: ImagingResampleHorizontal_8bpc's sums, each weight prepared once.
// With AVX2 the sums are the same integers (adds are associative; no sum can overflow int32: |weights|
// sum to < 2^23 and samples are < 2^8): a pixel's interleaved samples are a flat run of count * C
// bytes, each weight is repeated C times so 8 samples multiply 8 weights per instruction, and the run is
// read in blocks of 8 * V samples (V = 3 for RGB, 1 otherwise) so an accumulator lane always holds the
// same channel. Pixels whose padded run would read past the row use the scalar sums.
template <int C>
class HorizontalPass {
 public:
  HorizontalPass(const Taps& t, int in_width, int out_width) : t_(t), out_width_(out_width) {
    avx2_ = image_detail::resize_uses_avx2();
    if (!avx2_) return;
    run_max_ = (t.ksize * C + kBlock - 1) / kBlock * kBlock;
    expanded_.assign(size_t(out_width) * run_max_, 0);
    simd_.resize(out_width);
    for (int xx = 0; xx < out_width; ++xx) {
      const int32_t* k = &t.weights[size_t(xx) * t.ksize];
      for (int x = 0; x < t.count[xx]; ++x)
        for (int c = 0; c < C; ++c) expanded_[size_t(xx) * run_max_ + x * C + c] = k[x];
      const size_t run = size_t(t.count[xx] * C + kBlock - 1) / kBlock * kBlock;
      simd_[xx] = size_t(t.first[xx]) * C + run <= size_t(in_width) * C;
    }
  }

  void row(const uint8_t* src, uint8_t* dst) const { rows(src, 0, 1, dst, 0); }

  // `n` rows (src + r * src_stride → dst + r * dst_stride). The AVX2 path goes pixel by pixel over
  // the rows, so a pixel's expanded weights (count * C int32) are read from memory once per block
  // of rows instead of once per row: for a 4000 → 224 pass they are ~100 KB, which a decoder working
  // between rows pushes out of the cache.
  void rows(const uint8_t* src, size_t src_stride, int n, uint8_t* dst, size_t dst_stride) const {
#if defined(__x86_64__)
    if (avx2_) return rows_avx2(src, src_stride, n, dst, dst_stride);
#endif
    for (int r = 0; r < n; ++r)
      for (int xx = 0; xx < out_width_; ++xx) scalar_pixel(src + r * src_stride, xx, dst + r * dst_stride);
  }

 private:
  static constexpr int V = C == 3 ? 3 : 1;
  static constexpr int kBlock = 8 * V;

  void scalar_pixel(const uint8_t* src, int xx, uint8_t* dst) const {
    const int32_t* k = &t_.weights[size_t(xx) * t_.ksize];
    const uint8_t* s = src + size_t(t_.first[xx]) * C;
    int acc[C];
    for (int c = 0; c < C; ++c) acc[c] = 1 << (kPrecisionBits - 1);
    for (int x = 0, n = t_.count[xx]; x < n; ++x)
      for (int c = 0; c < C; ++c) acc[c] += s[x * C + c] * k[x];
    for (int c = 0; c < C; ++c) dst[xx * C + c] = clip8(acc[c]);
  }

#if defined(__x86_64__)
  __attribute__((target("avx2"))) void rows_avx2(const uint8_t* src, size_t src_stride, int n, uint8_t* dst,
                                                 size_t dst_stride) const {
    // channel_mask[v][c]: the lanes of accumulator v that hold channel c (sample index 8v + lane, mod 3).
    __m256i channel_mask[3][3];
    for (int v = 0; v < 3; ++v)
      for (int c = 0; c < 3; ++c) {
        alignas(32) int32_t m[8];
        for (int i = 0; i < 8; ++i) m[i] = (8 * v + i) % 3 == c ? -1 : 0;
        channel_mask[v][c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
      }
    for (int xx = 0; xx < out_width_; ++xx) {
      if (!simd_[xx]) {
        for (int r = 0; r < n; ++r) scalar_pixel(src + r * src_stride, xx, dst + r * dst_stride);
        continue;
      }
      const int32_t* k = &expanded_[size_t(xx) * run_max_];
      const int end = t_.count[xx] * C;
      for (int r = 0; r < n; ++r) {
        const uint8_t* s = src + r * src_stride + size_t(t_.first[xx]) * C;
        __m256i acc[V];
        for (int v = 0; v < V; ++v) acc[v] = _mm256_setzero_si256();
        for (int j = 0; j < end; j += kBlock)
          for (int v = 0; v < V; ++v) {
            const __m256i px = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s + j + 8 * v)));
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + j + 8 * v));
            acc[v] = _mm256_add_epi32(acc[v], _mm256_mullo_epi32(px, w));
          }
        // Channel sums in lanes 0..C-1, then + rounding, >> 22 and clamp to 0..255 (clip8).
        __m128i sums;
        if constexpr (C == 3) {
          __m256i x[3];
          for (int c = 0; c < 3; ++c) {
            x[c] = _mm256_setzero_si256();
            for (int v = 0; v < 3; ++v) x[c] = _mm256_add_epi32(x[c], _mm256_and_si256(acc[v], channel_mask[v][c]));
          }
          const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(x[0], x[1]), _mm256_hadd_epi32(x[2], x[2]));
          sums = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        } else {
          sums = _mm_add_epi32(_mm256_castsi256_si128(acc[0]), _mm256_extracti128_si256(acc[0], 1));  // 4 lanes
          if constexpr (C == 1) {
            sums = _mm_hadd_epi32(sums, sums);
            sums = _mm_hadd_epi32(sums, sums);
          }
        }
        sums = _mm_srai_epi32(_mm_add_epi32(sums, _mm_set1_epi32(1 << (kPrecisionBits - 1))), kPrecisionBits);
        const __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(sums, sums), _mm_setzero_si128());
        const uint32_t packed = static_cast<uint32_t>(_mm_cvtsi128_si32(bytes));
        std::memcpy(dst + r * dst_stride + size_t(xx) * C, &packed, C);
      }
    }
  }
#endif

  const Taps& t_;
  int out_width_;
  bool avx2_ = false;
  int run_max_ = 0;
  std::vector<int32_t> expanded_;
  std::vector<uint8_t> simd_;
};

// Horizontal pass over rows [row0, row0 + rows) of `in`, in blocks of 16 rows.
template <int C>
void horizontal(const Image& in, int row0, int rows, const Taps& t, Image& out) {
  const HorizontalPass<C> pass(t, in.width, out.width);
  const size_t in_row = size_t(in.width) * C, out_row = size_t(out.width) * C;
  for (int yy = 0; yy < rows; yy += 16)
    pass.rows(in.pixels.data() + size_t(yy + row0) * in_row, in_row, std::min(16, rows - yy),
              out.pixels.data() + size_t(yy) * out_row, out_row);
}

// Vertical pass; t.first is relative to in's first row (`shift` subtracted). The row loop is plain
// integer code that the compiler vectorises (AVX2 where the CPU has it).
template <int C>
// Not under ThreadSanitizer: the clones' ifunc resolver runs during relocation, before TSan's runtime is
// up, and its instrumented code crashes every binary at load. Not with Clang (the fuzz build): Clang 14
// has no target_clones on function templates.
#if defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
__attribute__((target_clones("avx2", "default")))
#endif
void vertical(const Image& in, int shift, const Taps& t, Image& out) {
  const size_t row = size_t(in.width) * C;
  std::vector<int> acc(row);
  for (int yy = 0; yy < out.height; ++yy) {
    const int32_t* k = &t.weights[size_t(yy) * t.ksize];
    const uint8_t* src = in.pixels.data() + size_t(t.first[yy] - shift) * row;
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0, n = t.count[yy]; y < n; ++y) {
      const uint8_t* s = src + size_t(y) * row;
      const int32_t w = k[y];
      for (size_t i = 0; i < row; ++i) acc[i] += s[i] * w;
    }
    uint8_t* dst = out.pixels.data() + size_t(yy) * row;
    for (size_t i = 0; i < row; ++i) dst[i] = clip8(acc[i]);
  }
}

template <int C>
Image convolve(const Image& in, int width, int height, const Filter& f) {
  const float box[4] = {0, 0, static_cast<float>(in.width), static_cast<float>(in.height)};
  const bool need_h = width != in.width, need_v = height != in.height;
  const Taps th = precompute(in.width, box[0], box[2], width, f);
  const Taps tv = precompute(in.height, box[1], box[3], height, f);
  // ImagingResampleInner: the horizontal pass only computes the rows the vertical pass reads.
  const int first_row = tv.first[0];
  const int last_row = tv.first[height - 1] + tv.count[height - 1];
  Image temp;
  const Image* src = &in;
  int shift = 0;
  if (need_h) {
    temp.width = width;
    temp.height = last_row - first_row;
    temp.channels = C;
    temp.pixels.resize(size_t(temp.width) * temp.height * C);
    horizontal<C>(in, first_row, temp.height, th, temp);
    src = &temp;
    shift = first_row;
  }
  if (!need_v) return need_h ? temp : in;
  Image out;
  out.width = src->width;
  out.height = height;
  out.channels = C;
  out.pixels.resize(size_t(out.width) * height * C);
  vertical<C>(*src, shift, tv, out);
  return out;
}

// ImagingScaleAffine (Geometry.c): positions accumulated in double, COORD truncation.
Image nearest(const Image& in, int width, int height) {
  const double a0 = static_cast<double>(static_cast<float>(in.width)) / width;
  const double a4 = static_cast<double>(static_cast<float>(in.height)) / height;
  auto coord = [](double v) { return v < 0.0 ? -1 : static_cast<int>(v); };
  std::vector<int> xin(width);
  double xo = a0 * 0.5;
  for (int x = 0; x < width; ++x, xo += a0) xin[x] = coord(xo);
  Image out;
  out.width = width;
  out.height = height;
  out.channels = in.channels;
  out.pixels.assign(size_t(width) * height * in.channels, 0);
  const int c = in.channels;
  double yo = a4 * 0.5;
  for (int y = 0; y < height; ++y, yo += a4) {
    const int yi = coord(yo);
    if (yi < 0 || yi >= in.height) continue;
    const uint8_t* src = in.pixels.data() + size_t(yi) * in.width * c;
    uint8_t* dst = out.pixels.data() + size_t(y) * width * c;
    for (int x = 0; x < width; ++x)
      if (xin[x] >= 0 && xin[x] < in.width) std::memcpy(dst + size_t(x) * c, src + size_t(xin[x]) * c, c);
  }
  return out;
}

// Convert.c rgbA2rgba / rgba2rgbA (MULDIV255 premultiply; unpremultiply with CLIP8(255 * v / a)).
void premultiply(Image& im) {
  for (size_t i = 0; i < im.pixels.size(); i += 4) {
    const unsigned a = im.pixels[i + 3];
    for (int c = 0; c < 3; ++c) {
      const unsigned t = im.pixels[i + c] * a + 128;
      im.pixels[i + c] = static_cast<uint8_t>(((t >> 8) + t) >> 8);
    }
  }
}
void unpremultiply(Image& im) {
  for (size_t i = 0; i < im.pixels.size(); i += 4) {
    const unsigned a = im.pixels[i + 3];
    if (a == 0 || a == 255) continue;
    for (int c = 0; c < 3; ++c) {
      const unsigned v = (255 * im.pixels[i + c]) / a;
      im.pixels[i + c] = static_cast<uint8_t>(v > 255 ? 255 : v);
    }
  }
}

}  // namespace

Resample resample_from_int(int value) {
  if (value < 0 || value > 5)
    throw UsageError("resample " + std::to_string(value) +
                     " is not a Pillow filter (0 NEAREST, 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)");
  return static_cast<Resample>(value);
}

Image resize_image(const Image& image, int width, int height, Resample resample) {
  if (width < 1 || height < 1)
    throw UsageError("resize: height and width must be > 0 (got " + std::to_string(width) + "x" +
                     std::to_string(height) + ")");
  if (image.channels != 1 && image.channels != 3 && image.channels != 4)
    throw UsageError("resize: " + std::to_string(image.channels) + " channels (expected 1, 3 or 4)");
  if (width == image.width && height == image.height) return image;
  if (resample == Resample::kNearest) return nearest(image, width, height);
  const Filter f = filter_for(resample);
  if (image.channels == 1) return convolve<1>(image, width, height, f);
  if (image.channels == 3) return convolve<3>(image, width, height, f);
  Image premultiplied = image;
  premultiply(premultiplied);
  Image out = convolve<4>(premultiplied, width, height, f);
  unpremultiply(out);
  return out;
}

namespace image_detail {

// The same two passes as convolve<3>, fed one source row at a time: the rows the vertical pass reads
// go through the horizontal pass as they arrive, into the (small) intermediate image.
struct RowResizer::State {
  Taps th, tv;
  bool need_h, need_v;
  int first_row, last_row;
  std::unique_ptr<HorizontalPass<3>> pass;
  Image temp;
};

RowResizer::RowResizer(int in_width, int in_height, int width, int height, Resample resample)
    : state_(std::make_unique<State>()) {
  if (width < 1 || height < 1 || in_width < 1 || in_height < 1 || resample == Resample::kNearest)
    throw UsageError("RowResizer: sizes must be > 0 and the filter a convolution");
  State& s = *state_;
  const Filter f = filter_for(resample);
  s.th = precompute(in_width, 0, static_cast<float>(in_width), width, f);
  s.tv = precompute(in_height, 0, static_cast<float>(in_height), height, f);
  s.need_h = width != in_width;
  s.need_v = height != in_height;
  s.first_row = s.need_v ? s.tv.first[0] : 0;
  s.last_row = s.need_v ? s.tv.first[height - 1] + s.tv.count[height - 1] : in_height;
  s.temp.width = s.need_h ? width : in_width;
  s.temp.height = s.last_row - s.first_row;
  s.temp.channels = 3;
  s.temp.pixels.resize(size_t(s.temp.width) * s.temp.height * 3);
  if (s.need_h) s.pass = std::make_unique<HorizontalPass<3>>(s.th, in_width, width);
  in_width_ = in_width;
}
RowResizer::~RowResizer() = default;

void RowResizer::push(int y, const uint8_t* rgb_row) { push_rows(y, 1, rgb_row, 0); }

void RowResizer::push_rows(int y, int n, const uint8_t* rgb_rows, size_t stride) {
  State& s = *state_;
  const int begin = std::max(y, s.first_row), end = std::min(y + n, s.last_row);
  if (begin >= end) return;
  const uint8_t* src = rgb_rows + size_t(begin - y) * stride;
  const size_t out_row = size_t(s.temp.width) * 3;
  uint8_t* dst = s.temp.pixels.data() + size_t(begin - s.first_row) * out_row;
  if (s.need_h) return s.pass->rows(src, stride, end - begin, dst, out_row);
  for (int r = 0; r < end - begin; ++r) std::memcpy(dst + r * out_row, src + r * stride, size_t(in_width_) * 3);
}

Image RowResizer::finish() {
  State& s = *state_;
  if (!s.need_v) return std::move(s.temp);
  Image out;
  out.width = s.temp.width;
  out.height = static_cast<int>(s.tv.first.size());
  out.channels = 3;
  out.pixels.resize(size_t(out.width) * out.height * 3);
  vertical<3>(s.temp, s.first_row, s.tv, out);
  return out;
}

}  // namespace image_detail
}  // namespace modelexport::processors
