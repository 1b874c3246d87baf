// SPDX-License-Identifier: MIT
#pragma once

// Fixed-size slots in 256 KB spans, for the objects every spawn makes: processes (192-byte slots,
// see process_heap.hpp) and small receivers (receiver.cpp). The heaps are shared by every engine
// in the program (a PID can keep a process, and so its receiver, alive after its engine is gone)
// and never destroyed.
//
// Why not malloc: a burst of spawns touches fresh memory, and on a VM each first touch of a page
// costs ~1.5 us (the guest zeroes it and the host backs it). A heap keeps one span's pages faulted
// in ahead of the spawner, by another thread (the engine asks its timer thread for the heaps
// `take_populate_requests` names). Slots of a multiple of 64 bytes are whole cache lines, so two
// actors never share one. And a slot costs its size, without malloc's 8-byte header and its
// rounding (a 16-byte receiver takes a 32-byte malloc chunk).
//
// A thread keeps a magazine of up to 32 free slots per heap and goes to the heap's shared state
// (one mutex) only to refill or spill half of it. Free slots are a bitmap per span, not a list
// threaded through them, so pages whose slots are all free can be given back to the OS
// (`give_back_free_pages`) at any time, and come back zeroed on their next use.

#include <hollywood/thread_annotations.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace hollywood::actor::detail {

/// Every heap's index (see slab_heap::max_heaps).
namespace heap_index {
inline constexpr unsigned process = 0;
/// The receivers' size classes take this index and the ones after it (receiver.cpp).
inline constexpr unsigned first_receiver = 1;
}  // namespace heap_index

struct heap_stats {
  std::size_t spans = 0;             // spans ever made (their memory stays reserved)
  std::size_t live_slots = 0;        // slots handed out and not returned to the shared state
  std::size_t ready_spans = 0;       // faulted in ahead, untouched
  std::uint64_t populated = 0;       // spans faulted in by `populate_ahead`
  std::uint64_t released_bytes = 0;  // given back to the OS so far
};

/// How long a heap may go without a refill and still get spans faulted in ahead. A request
/// served later than that came from a burst that is over: its spans would only be given back.
/// A spawner refills every 16 slots, so any burst faster than 16k spawns/s stays under it.
inline constexpr std::chrono::milliseconds populate_idle_after{1};

/// One slot size's heap. Make each with `static slab_heap* h = new slab_heap(...)`: it is never
/// destroyed, because slots may be freed during static destruction, in any order.
/// @threadsafe
class slab_heap {
 public:
  static constexpr std::size_t span_bytes = std::size_t{256} << 10;
  /// How many heaps a program may have (each has its bit in the populate requests and its
  /// magazine in every thread).
  static constexpr unsigned max_heaps = 8;

  /// `slot_bytes`: a multiple of 16 from 16 to 4096. `index`: this heap's own, below max_heaps.
  slab_heap(std::size_t slot_bytes, unsigned index) noexcept;
  slab_heap(const slab_heap&) = delete;
  slab_heap& operator=(const slab_heap&) = delete;
  ~slab_heap() = delete;

  [[nodiscard]] std::size_t slot_bytes() const noexcept { return slot_bytes_; }

  /// Returns a slot of `slot_bytes`, aligned to the largest power of two dividing it (at most
  /// 64), of which the caller uses the first `used` bytes (from 1 to `slot_bytes`; AddressSanitizer
  /// builds keep the rest poisoned). Throws std::bad_alloc when the OS refuses memory.
  void* allocate(std::size_t used);
  void* allocate() { return allocate(slot_bytes_); }
  /// Returns a slot from `allocate` (taken on any thread). AddressSanitizer builds abort on a slot
  /// freed twice.
  void deallocate(void* slot) noexcept;

  /// Whether this heap took a span and has fewer ready than `populate_ahead` keeps, and clears
  /// the request. True once per such moment.
  bool populate_wanted() noexcept;
  /// Faults in fresh spans' pages and keeps them ready for the next refills, until two are ready
  /// (one for heaps of 4096 slots or more per span); does nothing if they are, if another thread
  /// is preparing one, or if no thread refilled from this heap within `idle_after`. Takes
  /// ~100 us a span on a VM: call it off the spawning thread.
  void populate_ahead(std::chrono::nanoseconds idle_after = populate_idle_after) noexcept;

  /// Moves the calling thread's magazine of this heap back to the shared state.
  void close_magazine() noexcept;

  /// Moves the calling thread's magazine back to the shared state, then gives every page whose
  /// slots are all free back to the OS. Returns the bytes given back.
  std::size_t give_back_free_pages() noexcept;

  /// A snapshot; `live_slots` counts slots in threads' magazines as live.
  heap_stats stats() noexcept;

  /// The heaps (bit i: the heap whose index is i) that want a span populated, clearing their
  /// requests: one relaxed load when there are none, as on almost every spawn.
  static std::uint32_t take_populate_requests() noexcept;
  /// `populate_ahead` on each heap `heaps` names.
  static void populate_ahead(std::uint32_t heaps) noexcept;
  /// `give_back_free_pages` on every heap.
  static std::size_t give_back_all_free_pages() noexcept;

 private:
  struct span_header;

  /// `allocate` with an empty magazine. Out of line: the fast path then saves no registers.
  [[gnu::noinline]] void* refill_and_allocate(std::size_t used);
  std::size_t take(void** out, std::size_t n) noexcept;
  void put(void* const* slots, std::size_t n) noexcept;

  span_header* span_of(const void* slot) const noexcept;
  std::uint64_t* bitmap(span_header* s) const noexcept;
  [[nodiscard]] std::size_t index_of(const span_header* s, const void* slot) const noexcept;
  /// The pages slots `i` to `i + count - 1` overlap, as `released` bits.
  [[nodiscard]] std::uint64_t pages_of(std::size_t i, std::size_t count) const noexcept;
  /// The pages holding a span's header and bitmap (never given back).
  [[nodiscard]] std::size_t header_pages() const noexcept;
  [[nodiscard]] bool all_free(span_header* s, std::size_t page) const noexcept;
  void poison(void* slot) const noexcept;
  void unpoison(void* slot, std::size_t used) const noexcept;
  void check_not_free(void* slot) const noexcept;
  /// Writes a span's header and bitmap at `at` (null passes through). Needs no lock: only its
  /// reserver knows the address yet.
  span_header* format_span(void* at) const noexcept;

  // With mu_ held:
  std::size_t take_from(span_header& s, void** out, std::size_t n) noexcept;
  bool next_current() noexcept;
  /// The address of a new span (null when out of address space).
  void* reserve_span() noexcept;
  span_header* make_span() noexcept { return format_span(reserve_span()); }
  std::size_t give_back(span_header& s) noexcept;

  const std::size_t slot_bytes_;
  const unsigned index_;
  const std::size_t slots_per_span_;
  const std::size_t bitmap_words_;
  const std::size_t first_slot_;   // the slots before it hold the span's header and bitmap
  const std::size_t spans_ahead_;  // how many spans `populate_ahead` keeps ready

  std::mutex mu_;
  span_header* current_ HOLLYWOOD_GUARDED_BY(mu_) = nullptr;
  std::vector<span_header*> partial_ HOLLYWOOD_GUARDED_BY(mu_);  // have free slots (or had)
  std::vector<span_header*> ready_ HOLLYWOOD_GUARDED_BY(mu_);    // faulted in, all free
  std::vector<span_header*> spans_ HOLLYWOOD_GUARDED_BY(mu_);    // all but the one populating
  std::uintptr_t next_ HOLLYWOOD_GUARDED_BY(mu_) = 0;  // the current reservation's unused part
  std::uintptr_t end_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  bool populating_ HOLLYWOOD_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_take_ HOLLYWOOD_GUARDED_BY(mu_){};
  std::size_t live_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::uint64_t populated_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::uint64_t released_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
};

}  // namespace hollywood::actor::detail
