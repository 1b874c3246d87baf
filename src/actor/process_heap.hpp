// SPDX-License-Identifier: MIT
#pragma once

// Where processes live: a slab heap (slab_heap.hpp) of 192-byte slots. A slot is three whole cache
// lines, 64-byte aligned, so two actors never share a line, and an idle actor costs the same 192
// bytes as glibc's chunk for it. Without the heap's pages faulted in ahead, a burst of spawns
// would pay a page fault (~1.5 us on a VM) per 21 actors, a third of a spawn.

#include "slab_heap.hpp"

#include <cstddef>

namespace hollywood::actor::detail::process_heap {

inline constexpr std::size_t slot_bytes = 192;

/// The heap. @threadsafe
slab_heap& slots() noexcept;

}  // namespace hollywood::actor::detail::process_heap
