// SPDX-License-Identifier: MIT
#pragma once

// The slab heaps receivers of up to 128 bytes live in (see receiver::operator new).

#include "slab_heap.hpp"

#include <cstddef>

namespace hollywood::actor::detail {

/// The largest receiver kept in a slab heap.
inline constexpr std::size_t largest_slab_receiver = 128;

/// The heap of the smallest size class that holds `size` bytes, or null past
/// `largest_slab_receiver`. @threadsafe
slab_heap* receiver_heap(std::size_t size) noexcept;

}  // namespace hollywood::actor::detail
