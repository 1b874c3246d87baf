// SPDX-License-Identifier: MIT
#pragma once

#include "futex.hpp"

#include <atomic>
#include <cstdint>

namespace hollywood::actor::detail {

/// Shared state of a `completion`: a flag that flips once, and a futex to wait on it. The
/// completing side only makes the wake-up syscall when a waiter may be asleep, so the millions of
/// stops nobody waits for cost no syscall.
/// @threadsafe
class completion_state {
 public:
  /// Fires the signal (idempotent) and wakes every waiter.
  void complete() noexcept {
    // seq_cst RMW, then seq_cst load of sleepers_: the completer's half of the Dekker pair with
    // wait(). Release also publishes everything done before (the actor's `stopped`, its
    // deregistration) to whoever sees the flag.
    if (done_.exchange(1, std::memory_order_seq_cst) == 0 &&
        sleepers_.load(std::memory_order_seq_cst) != 0) {
      futex_wake(done_);
    }
  }

  [[nodiscard]] bool done() const noexcept { return done_.load(std::memory_order_acquire) != 0; }

  /// Blocks until done, at most `timeout` (negative: no limit); returns done().
  bool wait(std::chrono::nanoseconds timeout = std::chrono::nanoseconds{-1}) noexcept {
    if (done()) return true;
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // the waiter's half of the pair
    if (done_.load(std::memory_order_seq_cst) == 0) futex_wait(done_, 0, timeout);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return done();
  }

 private:
  std::atomic<std::uint32_t> done_{0};
  std::atomic<std::uint32_t> sleepers_{0};
};

}  // namespace hollywood::actor::detail
