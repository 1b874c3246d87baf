// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace hollywood {

/// Size used to keep data written by different threads on different cache lines. 64 bytes is the
/// line on x86-64 and most ARM cores; the adjacent-line prefetcher is why hot producer and consumer
/// indices are padded to two lines (`false_sharing_range`).
inline constexpr std::size_t cache_line_size = 64;
inline constexpr std::size_t false_sharing_range = 2 * cache_line_size;

}  // namespace hollywood
