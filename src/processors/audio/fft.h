// A mixed-radix FFT for the sizes feature extractors use (Whisper's n_fft 400 = 2^4·5^2, AST's 512),
// in double precision as numpy.fft.rfft (pocketfft) computes them. Any size factors into radix 4, 2,
// 3, 5 butterflies and, for other primes, a generic DFT butterfly.
//
//   RealFft fft(400);
//   std::vector<std::complex<double>> spectrum(fft.bins());   // 201
//   fft.forward(frame.data(), spectrum.data());
//
// Thread-safety: a plan is immutable after construction; forward() uses the caller's scratch only
// through a thread_local buffer, so one plan may be shared between threads.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

namespace modelexport::processors::audio {

// Complex FFT of size n (forward, unnormalized: X[k] = sum x[j] e^{-2πi jk/n}).
class ComplexFft {
 public:
  explicit ComplexFft(size_t n);
  size_t size() const { return n_; }
  // out may not alias in.
  void forward(const std::complex<double>* in, std::complex<double>* out) const;

 private:
  void recurse(const std::complex<double>* in, size_t stride, std::complex<double>* out, size_t n, size_t level) const;
  size_t n_;
  std::vector<size_t> factors_;
  std::vector<std::complex<double>> twiddles_;  // e^{-2πi k/n}, k < n
};

// Real-input FFT of size n: the n/2 + 1 non-negative frequency bins, as numpy.fft.rfft.
class RealFft {
 public:
  explicit RealFft(size_t n);
  size_t size() const { return n_; }
  size_t bins() const { return n_ / 2 + 1; }
  void forward(const double* in, std::complex<double>* out) const;

 private:
  size_t n_;
  ComplexFft half_;                             // n/2 points (n even), or n points (n odd)
  std::vector<std::complex<double>> twiddles_;  // e^{-2πi k/n}, k ≤ n/2
};

}  // namespace modelexport::processors::audio
