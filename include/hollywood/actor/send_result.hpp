// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace hollywood::actor {

/// Outcome of `try_send`.
enum class send_result : std::uint8_t {
  /// The message is in the target's inbox (or was handed to a responder or mailbox).
  delivered,
  /// The target's bounded inbox is full and its policy refused the message (`fail`, or `block`
  /// past its deadline). Not a dead letter: the caller decides.
  inbox_full,
  /// The target's policy dropped the message (`drop_newest`); it is a dead letter.
  dropped,
  /// The target has stopped; the message is a dead letter.
  stopped,
  /// No such target; the message is a dead letter. The empty PID also gives this (without a
  /// dead letter).
  unknown_target,
  /// The target is on another engine that cannot be reached (no remote, or its queue to that
  /// peer is full); the message is a dead letter.
  unreachable,
  /// The target is on another engine and the message's type has no codec; a dead letter.
  unknown_type,
};

}  // namespace hollywood::actor
