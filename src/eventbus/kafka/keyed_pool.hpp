// SPDX-License-Identifier: MIT
#pragma once

// The keyed pool: routes each record to the slot that owns its aggregate (a hash over a fixed
// set, or one slot per aggregate with idle passivation), records without an aggregate to a slot
// of their own, and keeps every slot served: a supervisor actor watches the pool actors and
// replaces one that crashed past its restarts, so no aggregate is ever silenced.

#include <hollywood/actor/engine.hpp>
#include <hollywood/eventbus/kafka/bus.hpp>

#include "pool_services.hpp"
#include "pool_slot.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

/// `dispatch` and `passivate_idle` belong to the consumer thread; `start`/`stop` to the bus's
/// owner thread.
class keyed_pool {
 public:
  keyed_pool(std::shared_ptr<const pool_services> services, const bus_options& options,
             std::string bus_name);
  keyed_pool(const keyed_pool&) = delete;
  keyed_pool& operator=(const keyed_pool&) = delete;
  ~keyed_pool();

  /// Spawns the supervisor and (hashed routing) the fixed actors.
  void start();

  /// Hands `rec` to its aggregate's slot.
  void dispatch(std::shared_ptr<record_state> rec);

  /// Per-aggregate routing: retires slots idle for longer than the TTL.
  void passivate_idle(bus_clock::time_point now);

  /// Stops every pool actor and the supervisor, waiting for them. Idempotent.
  void stop();

  /// Live slots (the fixed ones, or the aggregates' ones), plus the one for records without an
  /// aggregate.
  [[nodiscard]] std::size_t slots() const noexcept;

 private:
  std::shared_ptr<pool_slot> make_slot(std::string name);
  actor::pid spawn_server(const std::shared_ptr<pool_slot>& slot);

  std::shared_ptr<const pool_services> services_;
  actor::engine& engine_;
  std::vector<actor::middleware> middleware_;
  std::uint32_t max_restarts_;
  std::chrono::milliseconds restart_delay_;
  std::string name_;
  actor::pid supervisor_;
  // relaxed: makes actor IDs unique; nothing is published through it.
  std::atomic<std::uint64_t> generation_{0};

  std::vector<std::shared_ptr<pool_slot>> fixed_;
  std::shared_ptr<pool_slot> unordered_;
  struct aggregate_slot {
    std::shared_ptr<pool_slot> slot;
    bus_clock::time_point last_used;
  };
  std::unordered_map<std::string, aggregate_slot> by_aggregate_;
  std::uint64_t aggregate_slots_made_ = 0;
  bool stopped_ = false;
};

}  // namespace hollywood::eventbus::kafka::detail
