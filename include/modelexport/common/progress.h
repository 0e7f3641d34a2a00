// A terminal progress bar for long work (copying large models). Prints to stderr only when stderr
// is a terminal and the work is large enough to be worth showing; otherwise it is silent.
//
//   modelexport::Progress bar("embedding", total_bytes);
//   bar.advance(n);   // any number of times
//   bar.finish();
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace modelexport {

class Progress {
 public:
  Progress(std::string label, uint64_t total, uint64_t min_total_to_show = 64ull << 20);
  ~Progress();
  void advance(uint64_t amount);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  uint64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace modelexport
