// SPDX-License-Identifier: MIT
#pragma once

// A rate limit for one kind of log line: at most `burst` lines per window; the rest are counted,
// and the count is handed over once, to be reported, when the next window's first line comes (or
// when someone asks with take_suppressed).

#include <hollywood/thread_annotations.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>

namespace hollywood::actor::detail {

/// @threadsafe
class log_limiter {
 public:
  using clock = std::chrono::steady_clock;

  log_limiter(std::uint32_t burst, clock::duration window) noexcept
      : burst_(burst), window_(window) {}

  struct verdict {
    /// Whether this line may be written.
    bool admitted = false;
    /// Lines suppressed in earlier windows and not reported yet: report them now.
    std::uint64_t suppressed = 0;
  };

  /// Decides about one line at `now`.
  verdict admit(clock::time_point now) noexcept {
    std::lock_guard lock(mu_);
    verdict v;
    if (now - started_ >= window_) {
      v.suppressed = suppressed_;
      suppressed_ = 0;
      started_ = now;
      lines_ = 0;
    }
    if (lines_ < burst_) {
      ++lines_;
      v.admitted = true;
    } else {
      ++suppressed_;
    }
    return v;
  }

  /// Returns the lines suppressed and not reported yet, and forgets them.
  std::uint64_t take_suppressed() noexcept {
    std::lock_guard lock(mu_);
    const std::uint64_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  const std::uint32_t burst_;
  const clock::duration window_;
  std::mutex mu_;
  clock::time_point started_ HOLLYWOOD_GUARDED_BY(mu_){};
  std::uint32_t lines_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::uint64_t suppressed_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
};

}  // namespace hollywood::actor::detail
