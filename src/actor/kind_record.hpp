// SPDX-License-Identifier: MIT
#pragma once

// One kind's bookkeeping, interned by the engine (a process points at its kind's record for its
// whole life). It keeps what must outlive the kind's actors so per-kind totals never go down:
// the messages handled by actors that stopped, and restart counts. Everything here is updated on
// rare paths (an actor stopping, crashing); the per-message count stays in the process.

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace hollywood::actor::detail {

struct kind_record {
  explicit kind_record(std::string n) : name(std::move(n)) {}

  const std::string name;

  // Relaxed: statistics; engine_impl::kind_totals reads them (see there for the order that keeps
  // a stopping actor from being counted twice).
  /// Messages handled by this kind's actors that have stopped.
  std::atomic<std::uint64_t> retired_processed{0};
  std::atomic<std::uint64_t> restarts{0};
  std::atomic<std::uint64_t> max_restarts_exceeded{0};

  /// The last processed total a snapshot reported (guarded by engine_impl::stats_mu_).
  std::uint64_t reported_processed = 0;
};

}  // namespace hollywood::actor::detail
