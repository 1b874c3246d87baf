// SPDX-License-Identifier: MIT
#pragma once

namespace hollywood::actor::detail {

/// Asks malloc to give the free pages inside its heaps back to the OS (glibc's malloc_trim), if
/// glibc's malloc is the allocator this process uses; returns whether it asked. A free() alone
/// returns only the top of a heap. Costs a walk over every heap: for an idle moment. @threadsafe
bool give_free_pages_back() noexcept;

}  // namespace hollywood::actor::detail
