// SPDX-License-Identifier: MIT
#include "process_heap.hpp"

namespace hollywood::actor::detail::process_heap {

slab_heap& slots() noexcept {
  static slab_heap* const heap = new slab_heap(slot_bytes, heap_index::process);
  return *heap;
}

}  // namespace hollywood::actor::detail::process_heap
