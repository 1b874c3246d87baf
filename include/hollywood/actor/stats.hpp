// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/pid.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hollywood::actor {

/// A snapshot of one actor. Values are read without stopping the actor, so they may be a batch
/// behind.
struct actor_stats {
  actor::pid pid;
  /// Messages queued in its inbox.
  std::size_t inbox_depth = 0;
  /// Messages it handled (lifecycle messages excluded).
  std::uint64_t processed = 0;
  /// Restarts after crashes (within the current restart window).
  std::uint32_t restarts = 0;
};

/// A snapshot of an engine (`engine::stats()`).
struct engine_stats {
  /// Registered actors (the engine's own included).
  std::size_t actors = 0;
  /// Dead letters since the engine started.
  std::uint64_t dead_letters = 0;
  /// Actors that crashed past their restart limit.
  std::uint64_t max_restarts_exceeded = 0;
  /// Worker threads.
  std::size_t workers = 0;
  /// Per-actor figures.
  std::vector<actor_stats> per_actor;
};

}  // namespace hollywood::actor
