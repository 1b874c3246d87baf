// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/pid.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
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

/// A snapshot of one kind (the spawn name: "worker" for "worker/7", and for a child
/// "parent-id/worker/7" too): its live actors now, and totals over every actor of the kind since
/// the engine started. Totals never go down from one snapshot to the next, even as actors stop.
struct kind_stats {
  std::string kind;
  /// Live actors of the kind.
  std::size_t actors = 0;
  /// Messages its actors handled, stopped actors included.
  std::uint64_t processed = 0;
  /// Messages in its live actors' inboxes (queued, or being handled), added up.
  std::size_t inbox_depth_sum = 0;
  /// The deepest of its live actors' inboxes.
  std::size_t inbox_depth_max = 0;
  /// Restarts after crashes (all of them, whatever the restart window), and restarts of
  /// all-for-one siblings.
  std::uint64_t restarts = 0;
  /// Actors of the kind that crashed past their restart limit.
  std::uint64_t max_restarts_exceeded = 0;
};

/// One worker thread's time since the engine started. `busy + idle` is the worker's age.
struct worker_stats {
  /// Time spent running actors (including an actor's short spin for more messages, see
  /// `engine_config::spin`).
  std::chrono::nanoseconds busy{0};
  /// Time spent looking for work, spinning idle or parked.
  std::chrono::nanoseconds idle{0};
  /// Busy share of the recent past, 0 to 1: over the time since the last snapshot that is at
  /// least `busy_ratio_window` old (over the worker's whole life at first).
  double busy_ratio = 0;
};

/// The shortest window `worker_stats::busy_ratio` is measured over: snapshots taken closer
/// together report the ratio of the last full window.
inline constexpr std::chrono::seconds busy_ratio_window{1};

/// A snapshot of an engine (`engine::stats()`).
struct engine_stats {
  /// Registered actors (the engine's own included).
  std::size_t actors = 0;
  /// Dead letters since the engine started.
  std::uint64_t dead_letters = 0;
  /// Dead letters by reason (indexed by `dead_letter_reason`); they add up to `dead_letters`.
  std::array<std::uint64_t, dead_letter_reason_count> dead_letters_by_reason{};
  /// Actors that crashed past their restart limit.
  std::uint64_t max_restarts_exceeded = 0;
  /// Idle periods after which the engine returned memory (`memory_return::when_idle`), and the
  /// inbox blocks it freed then, in bytes (what malloc gave back to the OS is not counted).
  std::uint64_t memory_returns = 0;
  std::uint64_t memory_returned_bytes = 0;
  /// Times a plain-thread sender yielded its core because its receiver was far behind
  /// (`sender_backoff::yield`).
  std::uint64_t sender_backoffs = 0;
  /// Worker threads.
  std::size_t workers = 0;
  /// Per-actor figures.
  std::vector<actor_stats> per_actor;
  /// Per-kind figures, every kind ever spawned (sorted by kind).
  std::vector<kind_stats> per_kind;
  /// Per-worker figures (by worker index).
  std::vector<worker_stats> per_worker;
};

}  // namespace hollywood::actor
