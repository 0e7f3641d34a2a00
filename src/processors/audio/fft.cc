// Mixed-radix decimation-in-time Cooley–Tukey FFT; the real transform packs even/odd samples into
// one complex transform of half the size and untangles the halves (the standard real-FFT identity).
#include "processors/audio/fft.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "modelexport/common/error.h"

namespace modelexport::processors::audio {

using cd = std::complex<double>;

ComplexFft::ComplexFft(size_t n) : n_(n) {
  if (n == 0) throw UsageError("fft: size must be positive");
  size_t m = n;
  for (size_t p : {4, 2, 3, 5})
    while (m % p == 0) {
      factors_.push_back(p);
      m /= p;
    }
  for (size_t p = 7; m > 1; p += 2)
    while (m % p == 0) {
      factors_.push_back(p);
      m /= p;
    }
  twiddles_.resize(n);
  for (size_t k = 0; k < n; ++k) {
    double a = -2.0 * std::numbers::pi * double(k) / double(n);
    twiddles_[k] = cd(std::cos(a), std::sin(a));
  }
}

void ComplexFft::forward(const cd* in, cd* out) const {
  if (n_ == 1) {
    out[0] = in[0];
    return;
  }
  recurse(in, 1, out, n_, 0);
}

namespace {

// Complex product without the C99 Annex G NaN/infinity recovery (GCC's __muldc3 call, several times
// slower); the inputs here are always finite.
inline cd mul(const cd& a, const cd& b) {
  return cd(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
}

// The p-point DFT butterflies: a[0..p) → out[k + j·m] for j < p. `roots` are e^{-2πi r/p}.
inline void radix5(cd* a, cd* out, size_t k, size_t m) {
  // cos/sin of 2π/5 and 4π/5.
  constexpr double c1 = 0.30901699437494742410, c2 = -0.80901699437494742410;
  constexpr double s1 = 0.95105651629515357212, s2 = 0.58778525229247312917;
  cd t1 = a[1] + a[4], t2 = a[2] + a[3], t3 = a[1] - a[4], t4 = a[2] - a[3];
  cd b1 = a[0] + c1 * t1 + c2 * t2, b2 = a[0] + c2 * t1 + c1 * t2;
  // -i·(s1·t3 + s2·t4) and -i·(s2·t3 - s1·t4)
  cd r1 = s1 * t3 + s2 * t4, r2 = s2 * t3 - s1 * t4;
  cd m1(r1.imag(), -r1.real()), m2(r2.imag(), -r2.real());
  out[k] = a[0] + t1 + t2;
  out[k + m] = b1 + m1;
  out[k + 4 * m] = b1 - m1;
  out[k + 2 * m] = b2 + m2;
  out[k + 3 * m] = b2 - m2;
}

}  // namespace

// out[0..n) = DFT of in[0], in[stride], ..., in[(n-1)·stride].
void ComplexFft::recurse(const cd* in, size_t stride, cd* out, size_t n, size_t level) const {
  const size_t p = factors_[level];
  const size_t m = n / p;
  if (m == 1) {
    // A leaf: the p-point DFT of the strided inputs, whose twiddles are all 1.
    if (p == 5) {
      cd a[5] = {in[0], in[stride], in[2 * stride], in[3 * stride], in[4 * stride]};
      radix5(a, out, 0, 1);
      return;
    }
    if (p == 2) {
      out[0] = in[0] + in[stride];
      out[1] = in[0] - in[stride];
      return;
    }
    for (size_t q = 0; q < p; ++q) out[q] = in[q * stride];
  } else {
    for (size_t q = 0; q < p; ++q) recurse(in + q * stride, stride * p, out + q * m, m, level + 1);
  }
  const size_t tw_step = n_ / n;  // twiddle e^{-2πi k/n} is twiddles_[k·tw_step]
  const cd* tw = twiddles_.data();
  if (p == 2) {
    for (size_t k = 0; k < m; ++k) {
      cd a = out[k], b = mul(out[k + m], tw[k * tw_step]);
      out[k] = a + b;
      out[k + m] = a - b;
    }
  } else if (p == 4) {
    for (size_t k = 0; k < m; ++k) {
      cd a0 = out[k], a1 = mul(out[k + m], tw[k * tw_step]), a2 = mul(out[k + 2 * m], tw[2 * k * tw_step]),
         a3 = mul(out[k + 3 * m], tw[3 * k * tw_step]);
      cd s02 = a0 + a2, d02 = a0 - a2, s13 = a1 + a3, d13 = a1 - a3;
      cd d13_rot(d13.imag(), -d13.real());  // -i·d13
      out[k] = s02 + s13;
      out[k + m] = d02 + d13_rot;
      out[k + 2 * m] = s02 - s13;
      out[k + 3 * m] = d02 - d13_rot;
    }
  } else if (p == 5) {
    cd a[5];
    for (size_t k = 0; k < m; ++k) {
      a[0] = out[k];
      for (size_t q = 1; q < 5; ++q) a[q] = mul(out[k + q * m], tw[q * k * tw_step]);
      radix5(a, out, k, m);
    }
  } else {
    // Generic radix p: out[k + j·m] = Σ_q a_q · e^{-2πi q·j/p}, a_q = out[k + q·m]·e^{-2πi q·k/n}.
    std::vector<cd> a(p);
    const size_t root_step = n_ / p;  // e^{-2πi/p} = twiddles_[root_step]
    for (size_t k = 0; k < m; ++k) {
      for (size_t q = 0; q < p; ++q) a[q] = mul(out[k + q * m], tw[q * k * tw_step]);
      for (size_t j = 0; j < p; ++j) {
        cd sum = a[0];
        for (size_t q = 1; q < p; ++q) sum += mul(a[q], tw[((q * j) % p) * root_step]);
        out[k + j * m] = sum;
      }
    }
  }
}

RealFft::RealFft(size_t n) : n_(n), half_(n % 2 == 0 && n >= 2 ? n / 2 : n) {
  twiddles_.resize(n / 2 + 1);
  for (size_t k = 0; k <= n / 2; ++k) {
    double a = -2.0 * std::numbers::pi * double(k) / double(n);
    twiddles_[k] = cd(std::cos(a), std::sin(a));
  }
}

void RealFft::forward(const double* in, cd* out) const {
  thread_local std::vector<cd> z, spectrum;
  if (n_ % 2 != 0 || n_ < 2) {
    z.assign(in, in + n_);
    spectrum.resize(n_);
    half_.forward(z.data(), spectrum.data());
    for (size_t k = 0; k < bins(); ++k) out[k] = spectrum[k];
    return;
  }
  const size_t h = n_ / 2;
  z.resize(h);
  spectrum.resize(h);
  for (size_t j = 0; j < h; ++j) z[j] = cd(in[2 * j], in[2 * j + 1]);
  half_.forward(z.data(), spectrum.data());
  // X[k] = E[k] + W^k·O[k], E[k] = (Z[k] + conj(Z[h-k]))/2, O[k] = (Z[k] - conj(Z[h-k]))/(2i).
  for (size_t k = 0; k <= h; ++k) {
    cd zk = spectrum[k % h], zr = std::conj(spectrum[(h - k) % h]);
    cd even = 0.5 * (zk + zr);
    cd diff = zk - zr;
    cd odd(0.5 * diff.imag(), -0.5 * diff.real());  // diff / (2i)
    out[k] = even + mul(twiddles_[k], odd);
  }
}

}  // namespace modelexport::processors::audio
