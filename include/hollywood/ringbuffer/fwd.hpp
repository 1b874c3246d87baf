// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

namespace hollywood::ringbuffer {

enum class push_result : std::uint8_t;
enum class queue_layout : std::uint8_t;

template <class T>
class spsc_ring;

template <class T>
class mpsc_ring;

}  // namespace hollywood::ringbuffer
