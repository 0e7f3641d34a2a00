#include "modelexport/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace modelexport {

Progress::Progress(std::string label, uint64_t total, uint64_t min_total_to_show)
    : label_(std::move(label)), total_(total),
      enabled_(total >= min_total_to_show && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (enabled_ && !finished_) std::fputc('\n', stderr);
}

void Progress::advance(uint64_t amount) {
  done_ += amount;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (enabled_ && !finished_) draw(true);
  finished_ = true;
}

void Progress::draw(bool final) {
  double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (frac > 1) frac = 1;
  int width = 30, filled = static_cast<int>(frac * width);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double mbps = secs > 0 ? static_cast<double>(done_) / (1 << 20) / secs : 0;
  std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.0f MB/s%s", label_.c_str(), filled,
               "##############################", width - filled, "", frac * 100, mbps, final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace modelexport
