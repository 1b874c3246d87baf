// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

namespace hollywood::ringbuffer {

enum class push_result : std::uint8_t;
enum class queue_layout : std::uint8_t;

}  // namespace hollywood::ringbuffer
