// SPDX-License-Identifier: MIT
#pragma once

/// The Kafka event bus: consumes topics as a consumer group and hands each record to the pool
/// actor that owns its aggregate, so one aggregate's records are handled strictly in order while
/// different aggregates run in parallel (docs/kafka.md).
///
///   auto e = actor::engine::create().value();
///   std::string problem;
///   auto cfg = load_config("bus.yaml", problem).value();
///   auto bus = bus::create(*e, cfg).value();
///   bus->handle_blocking("orders", [](const record& r) { apply(r); return outcome::success(); });
///   bus->start();
///   ...
///   bus->stop();   // stop fetching, drain, final commit, leave the group
///
/// Guarantees: at-least-once (a record is committed only once it and every record before it in
/// its partition were handled or dead-lettered), per-aggregate order within a consumer, retries
/// with back-off, dead letters with their origin in headers, bounded memory.
/// @threadsafe (handlers must be registered before `start`)

#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/middleware.hpp>
#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/eventbus/kafka/handler.hpp>
#include <hollywood/eventbus/kafka/mock_cluster.hpp>
#include <hollywood/eventbus/kafka/publisher.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/metrics/registry.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace hollywood::eventbus::kafka {

/// Restarts a crashing pool actor gets before it is replaced by a fresh one.
inline constexpr std::uint32_t default_pool_max_restarts = 3;
inline constexpr std::chrono::milliseconds default_pool_restart_delay{50};

/// Run-time options that are not configuration (objects, code). Not thread-safe (set-up).
struct bus_options {
  /// Where the bus's metrics go (shared with other layers); null: a registry of its own.
  std::shared_ptr<metrics::registry> metrics;
  /// Middleware for every pool actor (tracing, timing); it sees the pool's internal messages. A
  /// middleware that throws crashes the actor, which is restarted and then replaced, losing no
  /// record.
  std::vector<actor::middleware> pool_middleware;
  std::uint32_t pool_max_restarts = default_pool_max_restarts;
  std::chrono::milliseconds pool_restart_delay = default_pool_restart_delay;
};

/// A snapshot of the bus's counters (the same numbers as its metrics).
struct bus_stats {
  std::uint64_t received = 0;       // records taken from Kafka
  std::uint64_t handled = 0;        // finished by a successful attempt
  std::uint64_t dead_lettered = 0;  // finished by the dead-letter topic
  std::uint64_t skipped = 0;        // malformed, `on_malformed: skip`
  std::uint64_t malformed = 0;      // broken envelopes, whatever the policy
  std::uint64_t retries = 0;
  std::uint64_t without_aggregate = 0;  // handled without ordering
  std::uint64_t key_mismatch = 0;       // aggregate ID differs from the record key
  std::uint64_t rebalance_duplicates = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_failures = 0;
  std::uint64_t dead_letter_failures = 0;
  std::uint64_t actor_restarts = 0;
  std::uint64_t actors_replaced = 0;
  std::size_t in_flight = 0;  // handed to the pool and not finished
  std::size_t held = 0;       // accepted and not committed (bounded by max_in_flight)
  std::size_t assigned_partitions = 0;
  std::size_t paused_partitions = 0;
  std::size_t pool_actors = 0;  // live pool actors (per-aggregate routing: the active ones)
  std::uint64_t lag = 0;        // high watermarks minus committed offsets, all partitions
};

/// See the file comment. @threadsafe
class bus {
 public:
  /// Creates a bus on `engine` (which must outlive it). With no brokers configured, starts the
  /// embedded broker and creates the subscribed topics (4 partitions each). Errors:
  /// `errc::invalid_config` (`problem` says which field), librdkafka's errors.
  static expected<std::unique_ptr<bus>> create(actor::engine& engine, bus_config config,
                                               bus_options options = {},
                                               std::string* problem = nullptr);

  bus(const bus&) = delete;
  bus& operator=(const bus&) = delete;
  /// Runs `stop()`.
  ~bus();

  /// Registers the handler of `topic` (one per topic, before `start`). Errors:
  /// `errc::already_started`, `errc::invalid_argument` (empty topic or handler, or a topic that
  /// already has one).
  expected<void> handle(std::string topic, async_handler handler);
  expected<void> handle_blocking(std::string topic, blocking_handler handler);

  /// Joins the group and starts consuming. Errors: `bus_errc::no_handler`,
  /// `errc::already_started`, librdkafka's errors.
  expected<void> start();

  /// Graceful stop: stops fetching, lets in-flight work finish (up to the shutdown timeout),
  /// commits, leaves the group. Idempotent; returns once done.
  void stop();

  /// Waits until the bus stopped (by `stop()` or by itself), up to `timeout`; returns whether it
  /// did. `failure()` then says why it stopped by itself.
  bool wait_stopped(std::chrono::milliseconds timeout) const;
  /// The error that stopped the bus by itself (`bus_errc::malformed_record`), or empty.
  [[nodiscard]] std::error_code failure() const;

  [[nodiscard]] bus_stats stats() const;

  /// Whether the bus should be considered ready (`/readyz`): started, not stopped, and its
  /// consumer joined the group (the first assignment arrived, even one of no partition: a group
  /// with more consumers than partitions leaves some idle, and they are ready all the same).
  [[nodiscard]] bool ready() const;

  /// The bus's producer (also used for dead letters), for publishing keyed records.
  [[nodiscard]] kafka::publisher& publisher() noexcept;

  /// The brokers in use (the embedded broker's when none were configured).
  [[nodiscard]] const std::string& bootstrap_servers() const noexcept;
  /// The embedded broker, or null when brokers were configured.
  [[nodiscard]] mock_cluster* embedded_broker() noexcept;

  [[nodiscard]] metrics::registry& metrics() noexcept;
  /// "host:port" of the HTTP endpoint (`metrics.listen`, with the real port: `/metrics`, and
  /// `/healthz`, `/readyz` answering `ready()`), or empty.
  [[nodiscard]] std::string metrics_endpoint() const;
  [[nodiscard]] const bus_config& config() const noexcept;

 private:
  struct impl;
  explicit bus(std::unique_ptr<impl> p) noexcept;
  std::unique_ptr<impl> impl_;
};

}  // namespace hollywood::eventbus::kafka
