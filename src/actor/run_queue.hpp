// SPDX-License-Identifier: MIT
#pragma once

// A worker's local run queue: a bounded ring of runnable processes. The owning worker pushes at
// the tail; the owner and thieves take from the head with a CAS, thieves half of what is there at
// a time. Same shape as the Go runtime's per-P run queue: push is two plain stores, a pop is one
// CAS, and nothing allocates.

#include <hollywood/assert.hpp>
#include <hollywood/cache_line.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace hollywood::actor::detail {

class process;

class run_queue {
 public:
  static constexpr std::uint32_t capacity = 256;
  static_assert((capacity & (capacity - 1)) == 0);
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
  static_assert(std::atomic<process*>::is_always_lock_free);

  /// Appends `p`; returns false when full. @owner
  bool push(process* p) noexcept {
    // Acquire pairs with the release CAS of head_ by pop/steal: slots they freed are reusable.
    const std::uint32_t head = head_.load(std::memory_order_acquire);
    const std::uint32_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head >= capacity) return false;
    slots_[tail % capacity].store(p, std::memory_order_relaxed);
    tail_.store(tail + 1, std::memory_order_release);  // pairs with the acquire loads of tail_
    return true;
  }

  /// Takes the oldest entry, or null. @owner
  process* pop() noexcept {
    std::uint32_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // we are its writer
      if (head == tail) return nullptr;
      process* p = slots_[head % capacity].load(std::memory_order_relaxed);
      // Release pairs with push()'s acquire of head_ (the slot may be reused after this).
      if (head_.compare_exchange_weak(head, head + 1, std::memory_order_release,
                                      std::memory_order_acquire)) {
        return p;
      }
    }
  }

  /// Moves about half of this queue into `dst` (which must be empty and owned by the caller)
  /// and returns one of the moved entries to run at once, or null. @threadsafe (thieves)
  process* steal_into(run_queue& dst) noexcept {
    std::uint32_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      // Acquire pairs with push()'s release store of tail_: the slots up to tail are written.
      const std::uint32_t tail = tail_.load(std::memory_order_acquire);
      std::uint32_t n = tail - head;
      n -= n / 2;
      if (n == 0) return nullptr;
      if (n > capacity / 2) {  // inconsistent snapshot (head moved under us): reload
        head = head_.load(std::memory_order_acquire);
        continue;
      }
      const std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
      for (std::uint32_t i = 0; i < n; ++i) {
        dst.slots_[(dst_tail + i) % capacity].store(
            slots_[(head + i) % capacity].load(std::memory_order_relaxed),
            std::memory_order_relaxed);
      }
      // The slots read above are only valid if no one took them meanwhile: the CAS checks that.
      if (head_.compare_exchange_weak(head, head + n, std::memory_order_release,
                                      std::memory_order_acquire)) {
        process* first = dst.slots_[(dst_tail + n - 1) % capacity].load(std::memory_order_relaxed);
        if (n > 1) dst.tail_.store(dst_tail + n - 1, std::memory_order_release);
        return first;
      }
    }
  }

  /// Returns a guess of the number of entries. @threadsafe
  [[nodiscard]] std::uint32_t size_approx() const noexcept {
    const std::uint32_t head = head_.load(std::memory_order_acquire);
    const std::uint32_t tail = tail_.load(std::memory_order_acquire);
    return tail - head;
  }

 private:
  alignas(cache_line_size) std::atomic<std::uint32_t> head_{0};
  alignas(cache_line_size) std::atomic<std::uint32_t> tail_{0};
  std::array<std::atomic<process*>, capacity> slots_{};
};

}  // namespace hollywood::actor::detail
