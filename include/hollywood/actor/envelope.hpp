// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>

#include <utility>

namespace hollywood::actor {

/// A message in transit with its sender (empty when sent from outside any actor). This is what an
/// inbox slot holds: 56 bytes, so a slot with its ready flag is one cache line.
struct envelope {
  envelope() noexcept = default;
  envelope(message&& m, const pid& from) noexcept : msg(std::move(m)), sender(from) {}
  envelope(message&& m, pid&& from) noexcept : msg(std::move(m)), sender(std::move(from)) {}
  /// Builds the message in place from `value`, without a sender.
  template <class T>
  envelope(std::in_place_t, T&& value) : msg(std::forward<T>(value)) {}

  message msg;
  pid sender;
};

}  // namespace hollywood::actor
