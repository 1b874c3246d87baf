// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hollywood::actor {

/// Why a message became a dead letter.
enum class dead_letter_reason : std::uint8_t {
  /// No actor with the target's ID exists (never did, or already gone).
  unknown_target,
  /// The target stopped (or was poisoned) before handling the message.
  stopped,
  /// Handling the message threw; it is not redelivered to the restarted instance.
  crashed,
  /// A bounded inbox was full and its policy refused or dropped the message.
  inbox_full,
  /// A response arrived after its request was answered, timed out or was abandoned.
  late_response,
  /// The message could not reach a remote engine; it was never handed to the network.
  unreachable,
  /// The message was sent to a remote engine in a batch that was not acknowledged before the
  /// connection was lost: it may or may not have been delivered.
  maybe_delivered,
  /// The message's type cannot cross to another engine: no codec is registered for it.
  unknown_type,
  /// The engine is shutting down.
  engine_stopped,
};

/// How many reasons there are (for tables indexed by reason).
inline constexpr std::size_t dead_letter_reason_count =
    static_cast<std::size_t>(dead_letter_reason::engine_stopped) + 1;

/// Returns a short name for `reason` ("unknown_target", ...).
constexpr std::string_view to_string(dead_letter_reason reason) noexcept {
  switch (reason) {
    case dead_letter_reason::unknown_target:
      return "unknown_target";
    case dead_letter_reason::stopped:
      return "stopped";
    case dead_letter_reason::crashed:
      return "crashed";
    case dead_letter_reason::inbox_full:
      return "inbox_full";
    case dead_letter_reason::late_response:
      return "late_response";
    case dead_letter_reason::unreachable:
      return "unreachable";
    case dead_letter_reason::maybe_delivered:
      return "maybe_delivered";
    case dead_letter_reason::unknown_type:
      return "unknown_type";
    case dead_letter_reason::engine_stopped:
      return "engine_stopped";
  }
  return "unknown";
}

}  // namespace hollywood::actor
