// SPDX-License-Identifier: MIT
#pragma once

// A worker's local run queue: a bounded work-stealing deque of runnable processes (the Chase-Lev
// protocol on a fixed ring). The owning worker pushes and pops at the bottom, newest first, so a
// tree of actors that spawn actors runs depth-first and keeps few of them alive at once; thieves
// take the oldest entry from the top with a CAS. The owner's pop only needs a CAS when it takes
// the last entry, the one a thief may be taking at the same moment. Nothing allocates.

#include <hollywood/cache_line.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace hollywood::actor::detail {

class process;

class run_queue {
 public:
  static constexpr std::int64_t capacity = 256;
  static_assert((capacity & (capacity - 1)) == 0);
  static_assert(std::atomic<std::int64_t>::is_always_lock_free);
  static_assert(std::atomic<process*>::is_always_lock_free);

  /// Pushes `p` at the bottom; returns false when full. @owner
  bool push(process* p) noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    // Acquire pairs with thieves' CAS on top_: slots they took are free again.
    const std::int64_t t = top_.load(std::memory_order_acquire);
    if (b - t >= capacity) return false;
    slots_[static_cast<std::size_t>(b & (capacity - 1))].store(p, std::memory_order_relaxed);
    bottom_.store(b + 1, std::memory_order_release);  // pairs with steal()'s acquire of bottom_
    return true;
  }

  /// Pops the newest entry, or null. @owner
  process* pop() noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    bottom_.store(b, std::memory_order_relaxed);
    // Order the bottom store before the top load (the StoreLoad half of Chase-Lev): a thief
    // either sees the smaller bottom or we see its top increment.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    std::int64_t t = top_.load(std::memory_order_relaxed);
    if (t > b) {  // empty
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    process* p =
        slots_[static_cast<std::size_t>(b & (capacity - 1))].load(std::memory_order_relaxed);
    if (t == b) {
      // The last entry: race the thieves for it.
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        p = nullptr;
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return p;
  }

  /// Takes the oldest entry, or null. @threadsafe (thieves; the owner too, for overflow)
  process* steal() noexcept {
    std::int64_t t = top_.load(std::memory_order_acquire);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with the fence in pop()
    const std::int64_t b = bottom_.load(std::memory_order_acquire);
    if (t >= b) return nullptr;
    process* p =
        slots_[static_cast<std::size_t>(t & (capacity - 1))].load(std::memory_order_relaxed);
    // Only valid if no one took it meanwhile; release so the owner's push sees the slot free.
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      return nullptr;
    }
    return p;
  }

  /// Returns a guess of the number of entries. @threadsafe
  [[nodiscard]] std::uint32_t size_approx() const noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_acquire);
    const std::int64_t t = top_.load(std::memory_order_acquire);
    return b > t ? static_cast<std::uint32_t>(b - t) : 0;
  }

 private:
  alignas(cache_line_size) std::atomic<std::int64_t> top_{0};
  alignas(cache_line_size) std::atomic<std::int64_t> bottom_{0};
  std::array<std::atomic<process*>, capacity> slots_{};
};

}  // namespace hollywood::actor::detail
