// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/middleware.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::actor {

/// How many times a crashing actor is restarted before it is stopped for good.
inline constexpr std::uint32_t default_max_restarts = 3;
/// How long a crashed actor waits before its fresh instance starts.
inline constexpr std::chrono::milliseconds default_restart_delay{500};

/// Options for one spawn; a value type with chained setters that return a modified copy.
/// Not thread-safe (a set-up object).
struct spawn_options {
  /// The ID after the kind ("kind/<id>"); empty: the engine generates a unique one.
  std::string id;
  /// Restarts allowed after crashes before the actor is stopped for good.
  std::uint32_t max_restarts = default_max_restarts;
  /// Delay between a crash and the fresh instance's start.
  std::chrono::milliseconds restart_delay = default_restart_delay;
  /// Wrappers around receive, outermost first.
  std::vector<hollywood::actor::middleware> middleware;

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
};

}  // namespace hollywood::actor
