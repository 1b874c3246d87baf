// SPDX-License-Identifier: MIT
#pragma once

/// Configuration of the Kafka event bus: a value type whose defaults are the named constants
/// below, filled from YAML by `parse_config`/`load_config` (docs/kafka.md lists every key) or in
/// code. Not thread-safe (a set-up object).

#include <hollywood/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::eventbus::kafka {

// -- defaults, in one place ----------------------------------------------------------------------

/// Pool actors in `pool_routing::hashed` mode.
inline constexpr std::size_t default_pool_size = 256;
/// Records accepted from Kafka and not yet committed, across all partitions: the most a crash
/// can replay, and what back-pressure keeps memory under.
inline constexpr std::size_t default_max_in_flight = 10'000;
/// Attempts of a failing record before it is dead-lettered.
inline constexpr std::uint32_t default_max_attempts = 5;
inline constexpr std::chrono::milliseconds default_initial_backoff{100};
inline constexpr std::chrono::milliseconds default_max_backoff{10'000};
/// Producer acknowledgements: all in-sync replicas (required by the idempotent producer).
inline constexpr int default_required_acks = -1;
/// How long the producer tries to deliver a record (librdkafka's message.timeout.ms).
inline constexpr std::chrono::milliseconds default_producer_timeout{10'000};
/// Period of librdkafka's automatic commit of the stored (contiguous done) offsets.
inline constexpr std::chrono::milliseconds default_commit_interval{1'000};
/// How long in-flight work of revoked partitions may finish before they are handed over.
inline constexpr std::chrono::milliseconds default_revoke_timeout{5'000};
/// How long a graceful stop waits for in-flight work.
inline constexpr std::chrono::milliseconds default_shutdown_timeout{10'000};
/// Idle time after which a per-aggregate actor is passivated.
inline constexpr std::chrono::milliseconds default_idle_ttl{60'000};
/// Threads running blocking handlers.
inline constexpr std::size_t default_handler_threads = 4;
inline constexpr std::string_view default_envelope_field = "aggregateId";
inline constexpr std::string_view default_aggregate_header = "aggregate-id";
/// Appended to a record's topic to name its dead-letter topic when none is configured.
inline constexpr std::string_view default_dead_letter_suffix = ".dlq";

// -- policies -------------------------------------------------------------------------------------

/// Where a group with no committed offset starts.
enum class start_offset : std::uint8_t { earliest, latest };

/// What happens to a record whose envelope is broken (JSON that does not parse, or an aggregate
/// field of the wrong type).
enum class malformed_policy : std::uint8_t {
  /// Dead-letter it (retried until the dead-letter topic takes it), then commit past it.
  dlq,
  /// Count and log it, then commit past it.
  skip,
  /// Stop the bus with `bus_errc::malformed_record`; nothing is committed past it.
  fail,
};

/// How aggregates map to pool actors.
enum class pool_routing : std::uint8_t {
  /// A fixed pool of `pool_config::size` actors; an aggregate's actor is a hash of its ID.
  hashed,
  /// One actor per aggregate, passivated after `pool_config::idle_ttl` without work.
  per_aggregate,
};

// -- sections -------------------------------------------------------------------------------------

struct producer_config {
  /// -1 (all replicas, idempotent producer), 0 or 1 (idempotence off).
  int required_acks = default_required_acks;
  std::chrono::milliseconds timeout = default_producer_timeout;
};

struct consumer_config {
  std::string group_id;
  std::vector<std::string> topics;
  start_offset start = start_offset::earliest;
  std::chrono::milliseconds commit_interval = default_commit_interval;
  std::chrono::milliseconds revoke_timeout = default_revoke_timeout;
  std::chrono::milliseconds shutdown_timeout = default_shutdown_timeout;
};

struct kafka_config {
  /// Bootstrap brokers; empty: the bus starts an embedded broker (`mock_cluster`, in memory).
  std::vector<std::string> brokers;
  /// Passed to librdkafka as is, to the consumer and the producer (security.protocol, sasl.*,
  /// ssl.*, session.timeout.ms, ...). The bus's own settings (group.id, bootstrap.servers,
  /// enable.auto.commit, enable.auto.offset.store) are refused here.
  std::map<std::string, std::string> properties;
  producer_config producer;
  consumer_config consumer;
};

struct pool_config {
  pool_routing routing = pool_routing::hashed;
  std::size_t size = default_pool_size;
  std::size_t max_in_flight = default_max_in_flight;
  /// Records of one partition handed to the pool at once; 0: only `max_in_flight` limits.
  /// 1 gives the one-record-per-partition behaviour of simple consumers (the bench's baseline).
  std::size_t max_in_flight_per_partition = 0;
  std::chrono::milliseconds idle_ttl = default_idle_ttl;
  std::size_t handler_threads = default_handler_threads;
};

struct retry_config {
  std::uint32_t max_attempts = default_max_attempts;
  std::chrono::milliseconds initial_backoff = default_initial_backoff;
  std::chrono::milliseconds max_backoff = default_max_backoff;
};

struct dead_letter_config {
  /// Empty: "<record's topic>.dlq".
  std::string topic;
};

struct aggregate_id_config {
  /// Field of a JSON envelope holding the aggregate ID; empty: envelopes are not read.
  std::string envelope_field{default_envelope_field};
  /// Header holding the aggregate ID; empty: headers are not read.
  std::string header{default_aggregate_header};
};

struct metrics_config {
  /// "host:port" for the HTTP `/metrics` endpoint; empty: no endpoint (metrics still counted).
  std::string listen;
};

/// The whole configuration (YAML root key `eventbus`).
struct bus_config {
  kafka_config kafka;
  pool_config pool;
  retry_config retry;
  dead_letter_config dead_letter;
  aggregate_id_config aggregate_id;
  malformed_policy on_malformed = malformed_policy::dlq;
  metrics_config metrics;

  /// Returns a description of the first invalid field ("eventbus.pool.size: must be >= 1"), or
  /// an empty string when everything is valid.
  [[nodiscard]] std::string problem() const;

  /// The dead-letter topic for records of `topic`.
  [[nodiscard]] std::string dead_letter_topic(std::string_view topic) const;
};

/// Parses YAML text. Unknown keys, wrong types and invalid values give `errc::invalid_config`
/// with `problem` naming the key ("eventbus.retry.maxAttempts: expected an integer").
expected<bus_config> parse_config(std::string_view yaml, std::string& problem);

/// Reads and parses a YAML file (`std::errc::no_such_file_or_directory` and the like when it
/// cannot be read).
expected<bus_config> load_config(const std::string& path, std::string& problem);

}  // namespace hollywood::eventbus::kafka
