// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/middleware.hpp>
#include <hollywood/actor/supervision.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::actor {

/// How many times a crashing actor is restarted before it is stopped for good.
inline constexpr std::uint32_t default_max_restarts = 3;
/// How long a crashed actor waits before its fresh instance starts.
inline constexpr std::chrono::milliseconds default_restart_delay{500};
/// Upper bound of an exponentially growing restart delay.
inline constexpr std::chrono::milliseconds default_max_restart_delay{30'000};
/// How long a sender waits for room in a full `block` inbox before the message is a dead letter.
inline constexpr std::chrono::milliseconds default_block_timeout{1'000};

/// Options for one spawn; a value type with chained setters that return a modified copy.
/// Not thread-safe (a set-up object).
struct spawn_options {
  /// The ID after the kind ("kind/<id>"); empty: the engine generates a unique one.
  std::string id;
  /// Restarts allowed after crashes before the actor is stopped for good.
  std::uint32_t max_restarts = default_max_restarts;
  /// Delay between a crash and the fresh instance's start.
  std::chrono::milliseconds restart_delay = default_restart_delay;
  /// How the restart delay grows with consecutive crashes.
  restart_backoff backoff = restart_backoff::fixed;
  /// Cap of an exponential restart delay.
  std::chrono::milliseconds max_restart_delay = default_max_restart_delay;
  /// A crash this long after the previous one starts counting restarts from zero again; zero
  /// means the count never resets.
  std::chrono::milliseconds restart_window{0};
  /// Wrappers around receive, outermost first.
  std::vector<hollywood::actor::middleware> middleware;
  /// How this actor's children are restarted when one crashes.
  supervision_strategy child_strategy = supervision_strategy::one_for_one;
  /// Whether this actor hears about a child that crashed past its limit (`child_failed`).
  escalation child_escalation = escalation::none;
  /// Bounded inbox capacity (a power of two); zero means unbounded (the default).
  std::size_t inbox_capacity = 0;
  /// What a full bounded inbox does with one more message.
  overflow_policy overflow = overflow_policy::fail;
  /// How long `overflow_policy::block` waits for room.
  std::chrono::milliseconds block_timeout = default_block_timeout;

  [[nodiscard]] spawn_options with_id(std::string v) const {
    auto o = *this;
    o.id = std::move(v);
    return o;
  }
  [[nodiscard]] spawn_options with_max_restarts(std::uint32_t v) const {
    auto o = *this;
    o.max_restarts = v;
    return o;
  }
  [[nodiscard]] spawn_options with_restart_delay(std::chrono::milliseconds v) const {
    auto o = *this;
    o.restart_delay = v;
    return o;
  }
  [[nodiscard]] spawn_options with_middleware(std::vector<hollywood::actor::middleware> v) const {
    auto o = *this;
    o.middleware = std::move(v);
    return o;
  }
  [[nodiscard]] spawn_options with_backoff(
      restart_backoff v, std::chrono::milliseconds cap = default_max_restart_delay) const {
    auto o = *this;
    o.backoff = v;
    o.max_restart_delay = cap;
    return o;
  }
  [[nodiscard]] spawn_options with_restart_window(std::chrono::milliseconds v) const {
    auto o = *this;
    o.restart_window = v;
    return o;
  }
  [[nodiscard]] spawn_options with_child_strategy(supervision_strategy v) const {
    auto o = *this;
    o.child_strategy = v;
    return o;
  }
  [[nodiscard]] spawn_options with_escalation(escalation v) const {
    auto o = *this;
    o.child_escalation = v;
    return o;
  }
  /// A bounded inbox of `capacity` messages (a power of two) with an overflow policy.
  [[nodiscard]] spawn_options with_inbox(
      std::size_t capacity, overflow_policy policy,
      std::chrono::milliseconds block_wait = default_block_timeout) const {
    auto o = *this;
    o.inbox_capacity = capacity;
    o.overflow = policy;
    o.block_timeout = block_wait;
    return o;
  }
};

}  // namespace hollywood::actor
