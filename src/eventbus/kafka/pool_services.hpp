// SPDX-License-Identifier: MIT
#pragma once

// What every pool actor needs, shared by all of them: the handlers, the blocking-handler
// threads, the producer for dead letters, the retry policy, the metrics and the way back to the
// consumer thread. Immutable once the bus starts.

#include <hollywood/actor/engine.hpp>
#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/eventbus/kafka/handler.hpp>
#include <hollywood/eventbus/kafka/publisher.hpp>

#include "bus_metrics.hpp"
#include "flight.hpp"
#include "handler_pool.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace hollywood::eventbus::kafka::detail {

/// A topic's handler: exactly one of the two is set.
struct handler_entry {
  async_handler async;
  blocking_handler blocking;
};

struct pool_services {
  actor::engine* engine = nullptr;
  const bus_config* config = nullptr;
  std::map<std::string, handler_entry, std::less<>> handlers;
  handler_pool* blocking = nullptr;
  kafka::publisher* publisher = nullptr;
  bus_metrics* metrics = nullptr;
  note_sink* sink = nullptr;

  /// Back-off before attempt `failed + 1`: initial * 2^(failed-1), capped.
  [[nodiscard]] std::chrono::milliseconds backoff(std::uint32_t failed) const;
};

}  // namespace hollywood::eventbus::kafka::detail
