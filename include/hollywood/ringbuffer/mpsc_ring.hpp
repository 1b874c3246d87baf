// SPDX-License-Identifier: MIT
#pragma once

/// A bounded multi-producer/single-consumer FIFO ring with a sequence number per slot, built to
/// back bounded actor inboxes.
///
///   mpsc_ring<int> ring(1024);                             // a power of two, at least 2
///   switch (ring.try_emplace(42)) {                        // any thread
///     case push_result::ok: break;
///     case push_result::full: /* overflow policy */ break;
///     case push_result::closed: /* dead letter */ break;
///   }
///   ring.consume(64, [](int& v) noexcept { use(v); });     // the one consumer thread
///   ring.close();                                          // any thread; later pushes fail
///
/// Guarantees:
/// - FIFO per producer; elements of different producers are ordered by the moment each reserved
///   its slot (one CAS on the tail index), so successful pushes are linearizable.
/// - Memory is allocated once, in the constructor; no other member allocates.
/// - A successful `try_emplace` performs one sequentially consistent read-modify-write of the
///   tail index and `empty()` a sequentially consistent load of it: like `mpsc_queue`, a
///   scheduler can pair them with its own seq_cst state word (the "no lost wake-up" Dekker
///   pattern, see docs/threading.md).
/// - A push that happens-after `close()` returns `push_result::closed` and constructs nothing;
///   elements pushed before it stay for the consumer. A push concurrent with `close()` either
///   succeeds (its element stays for the consumer) or fails (`closed`, or `full`) having
///   constructed nothing: every element is consumed or rejected, exactly.
/// - What `push_result::full` means under concurrency: the slot the producer must write next
///   still held an element when the producer looked, i.e. `capacity()` elements were queued,
///   in flight (reserved by a producer, not yet published) or being popped by the consumer
///   (`pop_front()` / `consume()` free a slot only after destroying its element). A pop that
///   happens-before the push is always seen, so `full` is never spurious with respect to it;
///   but pops and pushes racing with the call may make room or take it again at any time.
///   `full` is a momentary state, not a promise about the next call.
/// Not guaranteed:
/// - Lock-freedom for the consumer: a producer preempted between reserving its slot and
///   publishing the element stalls the consumer at that slot (`empty()` is `false`, `front()`
///   is `nullptr`) and, once the ring has wrapped around to it, makes other producers see
///   `full`. Producers never wait for each other otherwise (the CAS loop is lock-free).
/// - Fairness among producers, or any bound on how often one producer's CAS may fail.
///
/// Overflow policies (how a bounded inbox can build on this):
/// - `fail` / `drop_newest`: act on `push_result::full`; the element was not constructed, and
///   `try_push(T&&)` leaves its argument untouched.
/// - `block`: retry `try_push` with a back-off; this ring never waits or notifies by itself.
/// - `drop_oldest`: only the consumer may remove elements. The producer that sees `full` cannot
///   evict; the consumer discards with `try_pop()` or `front()` + `pop_front()` (for example
///   while `size_approx()` exceeds a threshold, or when told to by a flag the producer sets).
///
/// Algorithm: Dmitry Vyukov's bounded MPMC queue specialised to one consumer. Slot `i` holds a
/// sequence number: `i` while free for position `i`, `position + 1` once the element at
/// `position` is published, `position + capacity()` once the consumer has freed it for the next
/// lap. Producers claim a position with a CAS on `tail_` after seeing the slot free; the consumer
/// owns `head_` and needs no read-modify-write. The top bit of `tail_` is the closed flag, so a
/// push can never succeed after `close()`. Slots are not padded: adjacent producers may share a
/// cache line, which costs less than 64+ bytes per slot in an inbox.

#include <hollywood/assert.hpp>
#include <hollywood/cache_line.hpp>
#include <hollywood/ringbuffer/push_result.hpp>

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace hollywood::ringbuffer {

/// A bounded multi-producer/single-consumer ring of `T`; see the file comment.
/// @pre `T` is nothrow-move-constructible and nothrow-destructible (checked at compile time).
template <class T>
class mpsc_ring {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "mpsc_ring<T> requires a nothrow move constructor");
  static_assert(std::is_nothrow_destructible_v<T>, "mpsc_ring<T> requires a nothrow destructor");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

 public:
  using value_type = T;
  using size_type = std::size_t;

  // -- constructors ------------------------------------------------------------

  /// Allocates `capacity` slots, all of them usable.
  /// @pre `capacity` is a power of two, at least 2 (checked by HOLLYWOOD_ASSERT; builds without
  ///      runtime checks round it up instead). One slot cannot tell "published for this lap"
  ///      from "free for the next lap", hence the minimum of 2.
  /// Not thread-safe.
  explicit mpsc_ring(size_type capacity)
      : mask_(checked_capacity(capacity) - 1), slots_(new slot[mask_ + 1]) {
    for (std::uint64_t i = 0; i <= mask_; ++i) {
      // Relaxed: the ring is published to other threads by whatever shares it (thread start,
      // a mutex, a release store), which orders these stores before any use.
      slots_[i].seq.store(i, std::memory_order_relaxed);
    }
  }

  mpsc_ring(const mpsc_ring&) = delete;
  mpsc_ring& operator=(const mpsc_ring&) = delete;

  /// Destroys the elements still queued. @pre no concurrent producer or consumer.
  ~mpsc_ring() {
    consume(SIZE_MAX, [](T&) noexcept {});
  }

  // -- producer side -----------------------------------------------------------

  /// Constructs an element at the tail. Returns `push_result::full` if the slot it needs still
  /// holds an element (see the file comment for what that means under concurrency) and
  /// `push_result::closed` after `close()`; in both cases nothing is constructed. Never
  /// allocates, never blocks.
  /// @threadsafe
  template <class... Args>
  [[nodiscard]] push_result try_emplace(Args&&... args) noexcept {
    static_assert(std::is_nothrow_constructible_v<T, Args&&...>,
                  "elements are constructed after the slot is reserved and must not throw");
    // Relaxed: the slot's sequence number, not the index, tells whether the slot is usable. A
    // close() that happens-before this call is still seen (write-read coherence on tail_).
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((tail & closed_bit) != 0) return push_result::closed;
      slot& s = slots_[tail & mask_];
      // Acquire pairs with the consumer's release store of `seq` in release_slot(): it has
      // finished destroying the element of the previous lap before we construct over it.
      const std::uint64_t seq = s.seq.load(std::memory_order_acquire);
      const auto lag = static_cast<std::int64_t>(seq - tail);
      if (lag == 0) {
        // seq_cst: the full fence between reserving the slot and the caller's next read of the
        // consumer's state (the scheduler's half of the Dekker pair is `empty()`).
        if (tail_.compare_exchange_weak(tail, tail + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          ::new (static_cast<void*>(s.bytes)) T(std::forward<Args>(args)...);
          // Release pairs with the consumer's acquire load of `seq` in peek().
          s.seq.store(tail + 1, std::memory_order_release);
          return push_result::ok;
        }
        // The failed CAS reloaded `tail` (another producer won, or the ring was closed).
      } else if (lag < 0) {
        return push_result::full;  // the slot still holds the element of the previous lap
      } else {
        tail = tail_.load(std::memory_order_relaxed);  // another producer took this slot
      }
    }
  }

  /// Copies `value` into the ring; see `try_emplace`. @threadsafe
  [[nodiscard]] push_result try_push(
      const T& value) noexcept requires std::is_copy_constructible_v<T> {
    return try_emplace(value);
  }

  /// Moves `value` into the ring; see `try_emplace`. `value` is left untouched unless the result
  /// is `push_result::ok`, so the caller can retry or dead-letter it. @threadsafe
  [[nodiscard]] push_result try_push(T&& value) noexcept { return try_emplace(std::move(value)); }

  /// Closes the ring: later pushes fail with `push_result::closed`. Idempotent. Elements already
  /// pushed, including those in flight, stay for the consumer.
  /// @threadsafe
  void close() noexcept {
    // seq_cst like the producers' CAS: one total order decides which pushes precede the close.
    tail_.fetch_or(closed_bit, std::memory_order_seq_cst);
  }

  /// Returns whether `close()` was called. @threadsafe
  [[nodiscard]] bool closed() const noexcept {
    // Acquire pairs with the seq_cst fetch_or in close(): what the closing thread did before
    // close() is visible to a caller that sees the flag.
    return (tail_.load(std::memory_order_acquire) & closed_bit) != 0;
  }

  // -- consumer side -----------------------------------------------------------

  /// Returns the oldest element, or `nullptr` if none is ready (empty, or the oldest slot is
  /// reserved but not yet published). The element keeps its slot until `pop_front()`.
  /// @consumer
  [[nodiscard]] T* front() noexcept { return peek(head_.load(std::memory_order_relaxed)); }

  /// Destroys the oldest element and frees its slot for producers.
  /// @pre `front()` returned non-null since the last `pop_front()`.
  /// @consumer
  void pop_front() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);  // only we write head_
    HOLLYWOOD_ASSERT(peek(head) != nullptr);
    release_slot(head);
    // Release pairs with the acquire load of head_ in size_approx().
    head_.store(head + 1, std::memory_order_release);
  }

  /// Moves the oldest element into `out` and removes it. Returns `false` if none is ready. This
  /// is also the consumer's way to discard the oldest element (`drop_oldest`).
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

  /// Calls `fn(T&)` on up to `max` elements in FIFO order, destroying each and freeing its slot
  /// right after, and returns how many it handled. Stops early at the first slot that is empty
  /// or reserved but not yet published, or after an element for which `fn` returned `false`
  /// (when `fn` returns `bool`; that element counts as consumed).
  /// @consumer
  template <class F>
  std::size_t consume(std::size_t max, F&& fn) noexcept {
    static_assert(std::is_nothrow_invocable_v<F&, T&>, "the consumer callback must be noexcept");
    constexpr bool can_stop = std::is_same_v<std::invoke_result_t<F&, T&>, bool>;
    std::uint64_t head = head_.load(std::memory_order_relaxed);  // only we write head_
    std::size_t n = 0;
    bool go_on = true;
    while (n < max && go_on) {
      T* p = peek(head);
      if (p == nullptr) break;
      if constexpr (can_stop) {
        go_on = fn(*p);
      } else {
        fn(*p);
      }
      release_slot(head);
      ++head;
      ++n;
    }
    // Release pairs with the acquire load of head_ in size_approx().
    if (n != 0) head_.store(head, std::memory_order_release);
    return n;
  }

  /// Returns whether every reserved slot has been consumed. A slot reserved but not yet
  /// published counts as "not empty" (its element is in flight). Sequentially consistent: the
  /// scheduler's half of the Dekker pair with `try_emplace`.
  /// @consumer
  [[nodiscard]] bool empty() const noexcept {
    return (tail_.load(std::memory_order_seq_cst) & ~closed_bit) ==
           head_.load(std::memory_order_relaxed);
  }

  // -- observers ---------------------------------------------------------------

  /// Returns how many elements were ever reserved by producers (a monotonic position; the closed
  /// flag masked out). Sequentially consistent. @threadsafe
  [[nodiscard]] std::uint64_t tail_position() const noexcept {
    return tail_.load(std::memory_order_seq_cst) & ~closed_bit;
  }

  /// Returns how many elements the consumer ever removed (a monotonic position). @consumer
  [[nodiscard]] std::uint64_t head_position() const noexcept {
    return head_.load(std::memory_order_relaxed);
  }

  /// Returns the number of slots (the constructor's argument). @threadsafe
  [[nodiscard]] size_type capacity() const noexcept { return mask_ + 1; }

  /// Returns a guess of the number of queued elements, always in `[0, capacity()]`. Elements in
  /// flight count as queued; elements the consumer is inside a `consume()` batch with may still
  /// count. Exact when nothing runs concurrently.
  /// - Called by the consumer: a lower bound (producers may have pushed more since).
  /// - Called by a producer or any other thread: some value in range; not necessarily the size
  ///   at any single instant.
  /// @threadsafe
  [[nodiscard]] size_type size_approx() const noexcept {
    // Acquire pairs with the consumer's release stores of head_: the reservations of the
    // elements it consumed happen-before the tail_ load below, so tail is never behind head.
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed) & ~closed_bit;
    const std::uint64_t n = tail - head;
    return n < capacity() ? static_cast<size_type>(n) : capacity();
  }

 private:
  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;

  struct slot {
    std::atomic<std::uint64_t> seq{0};
    alignas(T) unsigned char bytes[sizeof(T)];
  };

  static size_type checked_capacity(size_type capacity) noexcept {
    HOLLYWOOD_ASSERT(capacity >= 2 && std::has_single_bit(capacity));
    return std::bit_ceil(capacity < 2 ? size_type{2} : capacity);
  }

  /// Returns the element at position `head` if it is published, else `nullptr`.
  T* peek(std::uint64_t head) const noexcept {
    slot& s = slots_[head & mask_];
    // Acquire pairs with the producer's release store of `seq` in try_emplace(): the element
    // is fully constructed.
    if (s.seq.load(std::memory_order_acquire) != head + 1) return nullptr;
    return std::launder(reinterpret_cast<T*>(s.bytes));
  }

  /// Destroys the published element at position `head` and frees its slot for the next lap.
  void release_slot(std::uint64_t head) noexcept {
    slot& s = slots_[head & mask_];
    std::launder(reinterpret_cast<T*>(s.bytes))->~T();
    // Release pairs with the producers' acquire load of `seq` in try_emplace(): the destruction
    // above happens-before the next lap's construction in this slot.
    s.seq.store(head + capacity(), std::memory_order_release);
  }

  // Read-only after construction, shared by all threads.
  alignas(false_sharing_range) const std::uint64_t mask_;
  const std::unique_ptr<slot[]> slots_;

  // Producer-written: the next position to reserve, plus the closed flag in the top bit.
  alignas(false_sharing_range) std::atomic<std::uint64_t> tail_{0};

  // Consumer-written: the next position to consume; read by others only in size_approx().
  alignas(false_sharing_range) std::atomic<std::uint64_t> head_{0};
};

}  // namespace hollywood::ringbuffer
