// SPDX-License-Identifier: MIT
#pragma once

/// A bounded, wait-free single-producer/single-consumer FIFO ring.
///
///   spsc_ring<int> ring(1024);                          // a power of two; allocates here only
///   // producer thread:
///   if (!ring.try_push(42)) { /* full: retry, drop or back off */ }
///   // consumer thread:
///   int v;
///   if (ring.try_pop(v)) use(v);                        // move out, or
///   if (int* p = ring.front()) { use(*p); ring.pop_front(); }   // zero-copy, or
///   ring.consume(64, [](int& x) noexcept { use(x); });  // a batch
///
/// Guarantees:
/// - FIFO. Exactly one producer thread and one consumer thread use the ring at a time (methods
///   are tagged @producer / @consumer); a role may pass to another thread only across a
///   happens-before edge (a join, a mutex hand-off).
/// - Wait-free on both sides: every call completes in a bounded number of steps; nothing spins,
///   blocks or allocates after the constructor. All `capacity()` slots are usable: the indices
///   run freely and are masked, so no slot is kept free to tell "full" from "empty".
/// - `try_emplace` constructs the element in place and gives the strong guarantee: if `T`'s
///   constructor throws, the ring is unchanged.
/// Not guaranteed:
/// - Any answer about the other side (`size_approx()`, `empty()`, a `false` from `try_push`) is
///   a snapshot that may be stale by the time the caller acts on it.
/// - Publication uses release/acquire only: there is no sequentially consistent operation a
///   scheduler could use as a store-load fence (`mpsc_ring` and `mpsc_queue` offer one).
///
/// Algorithm: Lamport's ring with free-running 64-bit indices. The producer owns `tail_`, the
/// consumer owns `head_`; each lives on its own padded cache-line pair together with a cached
/// copy of the other side's index. A side re-reads the other side's index only when its cached
/// copy says "full" (producer) or "empty" (consumer), so the index lines cross between cores
/// once per run of elements the other side made available, not once per element.

#include <hollywood/assert.hpp>
#include <hollywood/cache_line.hpp>

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace hollywood::ringbuffer {

/// A bounded single-producer/single-consumer ring of `T`; see the file comment.
/// @pre `T` is nothrow-move-constructible and nothrow-destructible (checked at compile time).
template <class T>
class spsc_ring {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "spsc_ring<T> requires a nothrow move constructor");
  static_assert(std::is_nothrow_destructible_v<T>, "spsc_ring<T> requires a nothrow destructor");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

 public:
  using value_type = T;
  using size_type = std::size_t;

  // -- constructors ------------------------------------------------------------

  /// Allocates `capacity` slots, all of them usable.
  /// @pre `capacity` is a power of two, at least 1 (checked by HOLLYWOOD_ASSERT; builds without
  ///      runtime checks round it up to the next power of two instead).
  /// Not thread-safe.
  explicit spsc_ring(size_type capacity)
      : mask_(checked_capacity(capacity) - 1), slots_(new slot[mask_ + 1]) {}

  spsc_ring(const spsc_ring&) = delete;
  spsc_ring& operator=(const spsc_ring&) = delete;

  /// Destroys the elements still queued. @pre no concurrent producer or consumer.
  ~spsc_ring() {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    for (std::uint64_t i = head_.load(std::memory_order_relaxed); i != tail; ++i) {
      element(i)->~T();
    }
  }

  // -- producer side -----------------------------------------------------------

  /// Constructs an element at the tail. Returns `false`, constructing nothing, if the ring is
  /// full. Never allocates, never blocks.
  /// @producer
  template <class... Args>
  [[nodiscard]] bool try_emplace(Args&&... args) noexcept(
      std::is_nothrow_constructible_v<T, Args&&...>) {
    static_assert(std::is_constructible_v<T, Args&&...>);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);  // only we write tail_
    if (tail - cached_head_ == capacity()) {
      // Acquire pairs with the release stores of head_ in pop_front() and consume(): the
      // consumer has finished destroying the elements in the slots it hands back.
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail - cached_head_ == capacity()) return false;
    }
    ::new (static_cast<void*>(slots_[tail & mask_].bytes)) T(std::forward<Args>(args)...);
    // Release pairs with the consumer's acquire load of tail_ in front() and consume().
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Copies `value` into the ring; see `try_emplace`. @producer
  [[nodiscard]] bool try_push(const T& value) noexcept(
      std::is_nothrow_copy_constructible_v<T>) requires std::is_copy_constructible_v<T> {
    return try_emplace(value);
  }

  /// Moves `value` into the ring; see `try_emplace`. `value` is left untouched when the ring is
  /// full, so the caller can retry with it. @producer
  [[nodiscard]] bool try_push(T&& value) noexcept { return try_emplace(std::move(value)); }

  // -- consumer side -----------------------------------------------------------

  /// Returns the oldest element, or `nullptr` if the ring is empty. The element stays in the
  /// ring (and its slot stays unavailable to the producer) until `pop_front()`.
  /// @consumer
  [[nodiscard]] T* front() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);  // only we write head_
    if (head == cached_tail_) {
      // Acquire pairs with the release store of tail_ in try_emplace(): the element is built.
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head == cached_tail_) return nullptr;
    }
    return element(head);
  }

  /// Destroys the oldest element and hands its slot back to the producer.
  /// @pre `front()` returned non-null since the last `pop_front()`.
  /// @consumer
  void pop_front() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    HOLLYWOOD_ASSERT(head != cached_tail_);
    element(head)->~T();
    // Release pairs with the producer's acquire load of head_ in try_emplace().
    head_.store(head + 1, std::memory_order_release);
  }

  /// Moves the oldest element into `out` and removes it. Returns `false` if the ring is empty.
  /// @consumer
  [[nodiscard]] bool try_pop(T& out) noexcept requires std::is_move_assignable_v<T> {
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "try_pop needs a nothrow move assignment; use front()/pop_front() or consume()");
    T* p = front();
    if (p == nullptr) return false;
    out = std::move(*p);
    pop_front();
    return true;
  }

  /// Calls `fn(T&)` on up to `max` elements in FIFO order, destroying each afterwards, and
  /// returns how many it handled. The slots of the whole batch go back to the producer when
  /// `consume` returns (one index store per batch).
  /// @consumer
  template <class F>
  std::size_t consume(std::size_t max, F&& fn) noexcept {
    static_assert(std::is_nothrow_invocable_v<F&, T&>, "the consumer callback must be noexcept");
    std::uint64_t head = head_.load(std::memory_order_relaxed);
    std::size_t n = 0;
    while (n < max) {
      if (head == cached_tail_) {
        // Acquire pairs with the release store of tail_ in try_emplace().
        cached_tail_ = tail_.load(std::memory_order_acquire);
        if (head == cached_tail_) break;
      }
      T* p = element(head);
      fn(*p);
      p->~T();
      ++head;
      ++n;
    }
    // Release pairs with the producer's acquire load of head_ in try_emplace().
    if (n != 0) head_.store(head, std::memory_order_release);
    return n;
  }

  /// Returns whether the ring holds no element. Exact for the consumer's own progress; elements
  /// the producer publishes concurrently may or may not be seen.
  /// @consumer
  [[nodiscard]] bool empty() const noexcept {
    // Acquire pairs with the release store of tail_ in try_emplace().
    return head_.load(std::memory_order_relaxed) == tail_.load(std::memory_order_acquire);
  }

  // -- observers ---------------------------------------------------------------

  /// Returns the number of usable slots (the constructor's argument).
  /// @threadsafe
  [[nodiscard]] size_type capacity() const noexcept { return mask_ + 1; }

  /// Returns a guess of the number of queued elements, always in `[0, capacity()]`.
  /// - Called by the producer: an upper bound (the consumer may have popped more since).
  /// - Called by the consumer: a lower bound (the producer may have pushed more since).
  /// - Called by any other thread: some value in range; not necessarily the size at any instant.
  /// Exact when neither side runs concurrently.
  /// @threadsafe
  [[nodiscard]] size_type size_approx() const noexcept {
    // Acquire pairs with the consumer's release stores of head_: the producer's tail_ store that
    // made those elements visible to the consumer happens-before the tail_ load below, so the
    // tail we read is never behind the head we read.
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t n = tail - head;
    return n < capacity() ? static_cast<size_type>(n) : capacity();
  }

 private:
  struct slot {
    alignas(T) unsigned char bytes[sizeof(T)];
  };

  static size_type checked_capacity(size_type capacity) noexcept {
    HOLLYWOOD_ASSERT(capacity >= 1 && std::has_single_bit(capacity));
    return std::bit_ceil(capacity < 1 ? size_type{1} : capacity);
  }

  T* element(std::uint64_t index) const noexcept {
    return std::launder(reinterpret_cast<T*>(slots_[index & mask_].bytes));
  }

  // Read-only after construction, shared by both sides.
  alignas(false_sharing_range) const std::uint64_t mask_;
  const std::unique_ptr<slot[]> slots_;

  // Producer-owned: written by the producer, read by the consumer (tail_ only).
  alignas(false_sharing_range) std::atomic<std::uint64_t> tail_{0};
  std::uint64_t cached_head_ = 0;  // the producer's last view of head_

  // Consumer-owned: written by the consumer, read by the producer (head_ only).
  alignas(false_sharing_range) std::atomic<std::uint64_t> head_{0};
  std::uint64_t cached_tail_ = 0;  // the consumer's last view of tail_
};

}  // namespace hollywood::ringbuffer
