// SPDX-License-Identifier: MIT
#pragma once

#include "futex.hpp"

#include <atomic>
#include <cstdint>

namespace hollywood::actor::detail {

/// Shared state of a `completion`: a flag that flips once, and a futex to wait on it.
/// @threadsafe
class completion_state {
 public:
  /// Fires the signal (idempotent) and wakes every waiter.
  void complete() noexcept {
    // Release pairs with the acquire loads in done()/wait(): whoever sees the flag sees
    // everything the completing thread did before (the actor's stopped handler, deregistration).
    if (done_.exchange(1, std::memory_order_release) == 0) futex_wake(done_);
  }
  [[nodiscard]] bool done() const noexcept { return done_.load(std::memory_order_acquire) != 0; }
  std::atomic<std::uint32_t>& word() noexcept { return done_; }

 private:
  std::atomic<std::uint32_t> done_{0};
};

}  // namespace hollywood::actor::detail
