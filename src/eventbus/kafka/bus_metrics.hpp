// SPDX-License-Identifier: MIT
#pragma once

// Every metric of the bus, created once per bus on its registry (names: docs/kafka.md). The
// handles are cheap to copy and thread-safe, so pool actors, the consumer thread and delivery
// callbacks update them directly; per-partition gauges come and go with assignments.

#include <hollywood/metrics/registry.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hollywood::eventbus::kafka::detail {

struct bus_metrics {
  explicit bus_metrics(std::shared_ptr<metrics::registry> reg);

  std::shared_ptr<metrics::registry> registry;

  // The reference design's pool metrics.
  metrics::counter pool_sent;
  metrics::counter pool_handled;
  metrics::counter pool_dead_lettered;
  metrics::counter pool_discarded;
  metrics::histogram pool_latency;
  metrics::gauge pool_inbox_depth;
  metrics::gauge pool_inbox_utilization;
  metrics::counter pool_restarts;
  metrics::counter pool_replaced;
  metrics::counter pool_dead_letters;
  metrics::gauge pool_actors;

  // Records.
  metrics::counter received;
  metrics::counter retries;
  metrics::counter dlq_records;
  metrics::counter dlq_failures;
  metrics::counter malformed;
  metrics::counter skipped;
  metrics::counter without_aggregate;
  metrics::counter key_mismatch;

  // Offsets and partitions.
  metrics::counter commits;
  metrics::counter commit_failures;
  metrics::counter rebalance_duplicates;
  metrics::counter late_results;
  metrics::gauge held;
  metrics::gauge assigned_partitions;
  metrics::gauge paused_partitions;
  metrics::gauge stalled_partitions;

  /// Per-partition gauges (created on assignment, removed on revocation).
  struct partition_gauges {
    metrics::gauge committed;
    metrics::gauge lag;
  };
  partition_gauges add_partition(const std::string& topic, std::int32_t partition);
  void remove_partition(const partition_gauges& g);
};

}  // namespace hollywood::eventbus::kafka::detail
