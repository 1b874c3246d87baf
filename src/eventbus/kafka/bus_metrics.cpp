// SPDX-License-Identifier: MIT
#include "bus_metrics.hpp"

#include <utility>

namespace hollywood::eventbus::kafka::detail {

namespace {
constexpr const char* committed_name = "kafka_eventbus_partition_committed_offset";
constexpr const char* lag_name = "kafka_eventbus_partition_lag";
constexpr const char* processed_name = "kafka_eventbus_actor_pool_messages_processed_total";
}  // namespace

bus_metrics::bus_metrics(std::shared_ptr<metrics::registry> reg) : registry(std::move(reg)) {
  auto& r = *registry;
  pool_sent = r.add_counter("kafka_eventbus_actor_pool_messages_sent_total",
                            "Records handed to pool actors");
  const char* processed_help = "Records that left the pool, by outcome";
  pool_handled = r.add_counter(processed_name, processed_help, {{"outcome", "handled"}});
  pool_dead_lettered =
      r.add_counter(processed_name, processed_help, {{"outcome", "dead_lettered"}});
  pool_discarded = r.add_counter(processed_name, processed_help, {{"outcome", "discarded"}});
  pool_latency = r.add_histogram("kafka_eventbus_actor_pool_message_latency_seconds",
                                 "Time from a record's arrival until it is finished",
                                 metrics::latency_buckets());
  pool_inbox_depth =
      r.add_gauge("kafka_eventbus_actor_pool_inbox_depth", "Records queued or running in the pool");
  pool_inbox_utilization = r.add_gauge("kafka_eventbus_actor_pool_inbox_utilization",
                                       "Records held (not yet committed) / pool.maxInFlight");
  pool_restarts = r.add_counter("kafka_eventbus_actor_pool_actor_restarted_total",
                                "Pool actor restarts after a crash");
  pool_replaced = r.add_counter("kafka_eventbus_actor_pool_actor_replaced_total",
                                "Pool actors replaced after crashing past their restarts");
  pool_dead_letters = r.add_counter("kafka_eventbus_actor_pool_dead_letters_total",
                                    "Engine dead letters addressed to pool actors (wake-ups "
                                    "lost to a crash; no record is lost with them)");
  pool_actors = r.add_gauge("kafka_eventbus_actor_pool_actors", "Live pool actors");
  received = r.add_counter("kafka_eventbus_records_received_total", "Records taken from Kafka");
  retries = r.add_counter("kafka_eventbus_retries_total", "Failed attempts retried after back-off");
  dlq_records =
      r.add_counter("kafka_eventbus_dlq_records_total", "Records written to a dead-letter topic");
  dlq_failures = r.add_counter("kafka_eventbus_dlq_produce_failures_total",
                               "Dead-letter produces that failed (retried; the partition pauses)");
  malformed =
      r.add_counter("kafka_eventbus_malformed_records_total", "Records with a broken envelope");
  skipped = r.add_counter("kafka_eventbus_skipped_records_total",
                          "Malformed records skipped (onMalformed: skip)");
  without_aggregate = r.add_counter("kafka_eventbus_records_without_aggregate_total",
                                    "Records without an aggregate ID, handled without ordering");
  key_mismatch = r.add_counter("kafka_eventbus_aggregate_key_mismatch_total",
                               "Records whose aggregate ID differs from their key");
  commits = r.add_counter("kafka_eventbus_commits_total", "Offset commits the broker accepted");
  commit_failures =
      r.add_counter("kafka_eventbus_commit_failures_total", "Offset commits that failed");
  rebalance_duplicates =
      r.add_counter("kafka_eventbus_rebalance_duplicates_total",
                    "Records of revoked partitions that the next owner may handle again");
  late_results = r.add_counter("kafka_eventbus_rebalance_late_results_total",
                               "Results that arrived after their partition was revoked");
  held = r.add_gauge("kafka_eventbus_held_records",
                     "Records accepted and not yet committed (bounded by pool.maxInFlight)");
  assigned_partitions =
      r.add_gauge("kafka_eventbus_assigned_partitions", "Partitions assigned to this consumer");
  paused_partitions = r.add_gauge("kafka_eventbus_paused_partitions", "Partitions paused");
  stalled_partitions = r.add_gauge(
      "kafka_eventbus_stalled_partitions",
      "Partitions whose commit waits for a failing record (retrying or dead-lettering)");
}

bus_metrics::partition_gauges bus_metrics::add_partition(const std::string& topic,
                                                         std::int32_t partition) {
  const metrics::labels l{{"topic", topic}, {"partition", std::to_string(partition)}};
  return {registry->add_gauge(committed_name, "Last committed offset", l),
          registry->add_gauge(lag_name, "High watermark minus committed offset", l)};
}

void bus_metrics::remove_partition(const partition_gauges& g) {
  registry->remove(committed_name, g.committed);
  registry->remove(lag_name, g.lag);
}

}  // namespace hollywood::eventbus::kafka::detail
