// SPDX-License-Identifier: MIT
#pragma once

/// Supervision policies and the messages supervision delivers to actors.
///
///   // A parent that restarts all its children when one crashes, and hears about a child that
///   // crashed past its restarts:
///   engine.spawn(make_producer<supervisor>(), "sup",
///                spawn_options{}.with_child_strategy(supervision_strategy::all_for_one)
///                               .with_escalation(escalation::notify_parent));
///   // Inside an actor: be told when another actor is gone for good.
///   ctx.watch(other);   // ... later receive(terminated{other, reason, detail})

#include <hollywood/actor/pid.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace hollywood::actor {

/// How the delay before a restart grows with consecutive crashes.
enum class restart_backoff : std::uint8_t {
  /// Always `restart_delay`.
  fixed,
  /// `restart_delay * 2^(n-1)` for the n-th restart in the window, capped at `max_restart_delay`.
  exponential,
};

/// What happens to a parent's other children when one of them crashes (set on the parent).
enum class supervision_strategy : std::uint8_t {
  /// Only the crashing child restarts.
  one_for_one,
  /// Every sibling restarts too: each gets `stopped`, a fresh instance, `initialized` and
  /// `started`; their queued messages are kept. Restart counts stay per child (a sibling's
  /// forced restart does not count against its own limit).
  all_for_one,
};

/// What a parent hears when a child crashes past its restart limit (set on the parent).
enum class escalation : std::uint8_t {
  /// Nothing: the child stops, the parent's `children()` shrinks.
  none,
  /// The child stops and the parent receives `child_failed{child, reason}` to decide what to do.
  notify_parent,
};

/// What a full bounded inbox does with one more message.
enum class overflow_policy : std::uint8_t {
  /// A sender outside the engine's workers waits for room up to `block_timeout`, then the
  /// message is a dead letter. A sender inside an actor never blocks a worker: for it this is
  /// `fail`.
  block,
  /// Refuse: `try_send` returns `send_result::inbox_full`; a plain `send` dead-letters it.
  fail,
  /// Drop the new message (a dead letter, reason `inbox_full`).
  drop_newest,
  /// Make room by dropping the oldest queued message (a dead letter, reason `inbox_full`).
  drop_oldest,
};

/// Why a watched actor is gone.
enum class termination_reason : std::uint8_t {
  /// It was stopped or poisoned (or the engine shut down).
  stopped,
  /// It crashed more often than its restart limit allows.
  crashed,
  /// It did not exist (or was already gone) when the watch was made.
  not_found,
  /// Its engine became unreachable (or restarted), so it is presumed gone.
  unreachable,
};

/// Returns a short name for `reason`.
constexpr std::string_view to_string(termination_reason reason) noexcept {
  switch (reason) {
    case termination_reason::stopped:
      return "stopped";
    case termination_reason::crashed:
      return "crashed";
    case termination_reason::not_found:
      return "not_found";
    case termination_reason::unreachable:
      return "unreachable";
  }
  return "unknown";
}

/// Delivered to every actor that `watch`ed `actor`, once, when it is gone for good. Restarts do
/// not deliver it. Plain values only, so it can cross engines.
struct terminated {
  pid actor;
  termination_reason reason = termination_reason::stopped;
  /// The last crash ("type: what()") for `crashed`.
  std::string detail;
};

/// Delivered to a parent with `escalation::notify_parent` when `child` crashed past its restart
/// limit and was stopped.
struct child_failed {
  pid child;
  std::string reason;
};

}  // namespace hollywood::actor
