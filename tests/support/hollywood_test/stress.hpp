// SPDX-License-Identifier: MIT
#pragma once

/// Scaffolding shared by the multi-threaded stress tests: sizes scaled for ThreadSanitizer, a
/// watchdog that turns a hang into a readable failure, a spin-then-yield back-off, and a
/// per-producer FIFO checker.

#include <hollywood/cpu_relax.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hollywood::test {

// ThreadSanitizer runs these tests ~10x slower than an ASan debug build: a quarter of the work
// keeps the same shapes within a few seconds on 2 cores.
#if defined(__SANITIZE_THREAD__)
inline constexpr std::uint32_t sanitizer_slowdown = 4;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr std::uint32_t sanitizer_slowdown = 4;
#else
inline constexpr std::uint32_t sanitizer_slowdown = 1;
#endif
#else
inline constexpr std::uint32_t sanitizer_slowdown = 1;
#endif

/// Scales a count down for ThreadSanitizer builds.
constexpr std::uint32_t scaled(std::uint32_t n) {
  return n / sanitizer_slowdown;
}

/// The longest a stress test may run before its watchdog fires.
inline constexpr std::chrono::seconds time_limit{120};

/// Aborts with a diagnosis if its scope outlives `limit`: a hang in a lock-free structure
/// becomes a readable failure instead of a ctest timeout. Waits on a condition variable, so a
/// passing test pays nothing.
class watchdog {
 public:
  watchdog(const char* what, std::chrono::seconds limit, std::function<void()> diagnose = {})
      : diagnose_(std::move(diagnose)), thread_([this, what, limit] { watch(what, limit); }) {}

  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  void watch(const char* what, std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (done_cv_.wait_for(lock, limit, [this] { return done_; })) return;
    std::fprintf(stderr, "watchdog: '%s' still running after %lld s (hang or lost element)\n", what,
                 static_cast<long long>(limit.count()));
    if (diagnose_) diagnose_();
    std::abort();
  }

  std::function<void()> diagnose_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

/// Spins briefly, then yields: with more threads than cores, a spinning thread must let the
/// thread it waits for run.
inline void back_off(unsigned& attempts) {
  if (++attempts < 64) {
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

/// Packs a producer number and a sequence number into one element.
constexpr std::uint64_t encode(std::uint32_t producer, std::uint32_t seq) {
  return (std::uint64_t{producer} << 32) | seq;
}

/// Checks per-producer FIFO: each producer's sequence numbers arrive as 0, 1, 2, ...
class fifo_checker {
 public:
  explicit fifo_checker(std::size_t producers) : next_(producers, 0) {}

  void operator()(std::uint32_t producer, std::uint32_t seq) noexcept {
    if (producer >= next_.size() || seq != next_[producer]) {
      ++errors_;
    } else {
      ++next_[producer];
    }
    ++total_;
  }

  void operator()(std::uint64_t encoded) noexcept {
    (*this)(static_cast<std::uint32_t>(encoded >> 32), static_cast<std::uint32_t>(encoded));
  }

  [[nodiscard]] std::uint64_t total() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t errors() const noexcept { return errors_; }
  [[nodiscard]] std::uint32_t next(std::size_t producer) const { return next_[producer]; }

 private:
  std::vector<std::uint32_t> next_;
  std::uint64_t total_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace hollywood::test
