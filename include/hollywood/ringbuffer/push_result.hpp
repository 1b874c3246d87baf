// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace hollywood::ringbuffer {

/// Result of a push into a queue or ring.
enum class push_result : std::uint8_t {
  /// The element is in the queue.
  ok,
  /// The queue was full (bounded queues only); the element was not constructed.
  full,
  /// The queue was closed; the element was not constructed.
  closed,
};

}  // namespace hollywood::ringbuffer
