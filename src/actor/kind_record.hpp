// SPDX-License-Identifier: MIT
#pragma once

// One kind's bookkeeping, interned by the engine (a process points at its kind's record for its
// whole life). It keeps what must outlive the kind's actors so per-kind totals never go down:
// the messages handled by actors that stopped, and restart counts. Everything here is updated on
// rare paths (an actor stopping, crashing); the per-message count stays in the process.

#include <hollywood/cache_line.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace hollywood::actor::detail {

/// A statistics counter that workers add to on separate cache lines: actors of one kind stop on
/// every worker, and one shared word made skynet spend 9% of its time in a contended `lock add`.
/// Relaxed: a statistic (see engine_impl::add_kind_stats for how snapshots read it).
/// @threadsafe
class striped_counter {
 public:
  static constexpr std::size_t stripes = 8;

  void add(std::size_t stripe, std::uint64_t n) noexcept {
    cells_[stripe % stripes].value.fetch_add(n, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t load() const noexcept {
    std::uint64_t sum = 0;
    for (const cell& c : cells_)
      sum += c.value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  struct alignas(cache_line_size) cell {
    std::atomic<std::uint64_t> value{0};
  };
  cell cells_[stripes];
};

class engine_impl;

struct kind_record {
  kind_record(const std::string* n, engine_impl& e) : name(*n), engine(&e) {}

  /// Interned (see intern()): the numbered IDs of this kind's actors point at it, and may outlive
  /// the engine.
  const std::string& name;
  /// The engine that interned it: processes reach their engine through their kind.
  engine_impl* const engine;

  // Relaxed: statistics; engine_impl::kind_totals reads them (see there for the order that keeps
  // a stopping actor from being counted twice).
  /// Messages handled by this kind's actors that have stopped, striped by worker.
  striped_counter retired_processed;
  std::atomic<std::uint64_t> restarts{0};
  std::atomic<std::uint64_t> max_restarts_exceeded{0};

  /// The last processed total a snapshot reported (guarded by engine_impl::stats_mu_).
  std::uint64_t reported_processed = 0;
};

}  // namespace hollywood::actor::detail
