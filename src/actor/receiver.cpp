// SPDX-License-Identifier: MIT
#include <hollywood/actor/receiver.hpp>

#include "receiver_heap.hpp"

#include <array>
#include <new>

namespace hollywood::actor {

namespace detail {

namespace {

// Size classes 16 bytes apart up to 64, then 96 and 128: a lambda capturing a PID or a pointer
// (16 bytes with the vtable pointer) takes 16 instead of malloc's 32.
constexpr std::array<std::size_t, 6> class_bytes = {16, 32, 48, 64, 96, 128};
// By (size + 15) / 16: the smallest class that fits.
constexpr std::array<unsigned char, 9> class_of_granules = {0, 0, 1, 2, 3, 4, 4, 5, 5};

static_assert(class_bytes.back() == largest_slab_receiver);
static_assert(heap_index::first_receiver + class_bytes.size() <= slab_heap::max_heaps);

}  // namespace

slab_heap* receiver_heap(std::size_t size) noexcept {
  if (size > largest_slab_receiver) return nullptr;
  static const std::array<slab_heap*, class_bytes.size()> heaps = [] {
    std::array<slab_heap*, class_bytes.size()> made{};
    for (unsigned i = 0; i < class_bytes.size(); ++i)
      made[i] = new slab_heap(class_bytes[i], heap_index::first_receiver + i);
    return made;
  }();
  return heaps[class_of_granules[(size + 15) / 16]];
}

}  // namespace detail

void* receiver::operator new(std::size_t size) {
  if (detail::slab_heap* heap = detail::receiver_heap(size)) return heap->allocate(size);
  return ::operator new(size);
}

void receiver::operator delete(void* p, std::size_t size) noexcept {
  if (detail::slab_heap* heap = detail::receiver_heap(size)) {
    heap->deallocate(p);
  } else {
    ::operator delete(p);  // unsized: see the aligned form in receiver.hpp
  }
}

}  // namespace hollywood::actor
