// SPDX-License-Identifier: MIT
#pragma once

// Where processes live: 192-byte slots in 256 KB spans, shared by every engine in the program
// (a process can outlive its engine: a PID keeps it).
//
// Why not malloc: a burst of spawns touches fresh memory, and on a VM each first touch of a page
// costs ~1.5 us (the guest zeroes it and the host backs it), ~110 ns per actor at 18 actors a
// page: a third of a spawn. The heap keeps one span's pages faulted in ahead of the spawner, by
// another thread (the engine asks its timer thread when `populate_wanted` says so). Slots are
// also whole cache lines (three, 64-byte aligned), so two actors never share a line, and an idle
// actor costs the same 192 bytes as glibc's chunk for it.
//
// A thread keeps a magazine of up to 32 free slots and goes to the shared state (one mutex) only
// to refill or spill half of it. Free slots are a bitmap per span, not a list threaded through
// them, so pages whose slots are all free can be given back to the OS (`give_back_free_pages`)
// at any time, and come back zeroed on their next use.

#include <cstddef>
#include <cstdint>

namespace hollywood::actor::detail::process_heap {

inline constexpr std::size_t slot_bytes = 192;
inline constexpr std::size_t span_bytes = std::size_t{256} << 10;

/// Returns a slot of `slot_bytes`, 64-byte aligned. Throws std::bad_alloc when the OS refuses
/// memory. @threadsafe
void* allocate();

/// Returns a slot from `allocate` (taken on any thread). @threadsafe
void deallocate(void* slot) noexcept;

/// Whether a span without pages faulted in was just started and none is ready: the caller should
/// have another thread call `populate_ahead`. True once per such moment (it clears the request).
/// @threadsafe
bool populate_wanted() noexcept;

/// Faults in a fresh span's pages and keeps it ready for the next refill; does nothing if one is
/// ready or being prepared. Takes ~100 us on a VM: call it off the spawning thread. @threadsafe
void populate_ahead() noexcept;

/// Moves the calling thread's magazine back to the shared state, then gives every page whose slots
/// are all free back to the OS. Returns the bytes given back. @threadsafe
std::size_t give_back_free_pages() noexcept;

struct heap_stats {
  std::size_t spans = 0;             // spans ever made (their memory stays reserved)
  std::size_t live_slots = 0;        // slots handed out and not returned to the shared state
  std::size_t ready_spans = 0;       // faulted in ahead, untouched
  std::uint64_t populated = 0;       // spans faulted in by `populate_ahead`
  std::uint64_t released_bytes = 0;  // given back to the OS so far
};

/// A snapshot; `live_slots` counts slots in threads' magazines as live. @threadsafe
heap_stats stats() noexcept;

}  // namespace hollywood::actor::detail::process_heap
