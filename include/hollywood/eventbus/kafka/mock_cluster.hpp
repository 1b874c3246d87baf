// SPDX-License-Identifier: MIT
#pragma once

/// An in-process Kafka cluster: librdkafka's mock cluster, which speaks the real Kafka protocol
/// on 127.0.0.1 (ephemeral ports), so any Kafka client (this bus, kcat, another process) can
/// use it. It backs the bus's embedded broker, `hollywood kafka-broker` and the tests.
///
///   auto cluster = mock_cluster::create(3).value();
///   cluster->create_topic("orders", 4);
///   use(cluster->bootstrap_servers());   // "127.0.0.1:41733,127.0.0.1:40215,..."
///
/// Limits (librdkafka 2.0.2; docs/kafka.md): offsets and data live in memory only and vanish
/// with the object; each partition keeps at most 5 MiB or 100k message sets; topics are also
/// auto-created with 4 partitions on first use; commits are refused while the group rebalances.
/// @threadsafe

#include <hollywood/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hollywood::eventbus::kafka {

/// See the file comment. @threadsafe
class mock_cluster {
 public:
  /// Starts `brokers` brokers (1..16). Errors: `errc::invalid_argument`, or librdkafka's error.
  static expected<std::unique_ptr<mock_cluster>> create(std::size_t brokers = 1);

  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;
  /// Stops the brokers; connected clients see them go down.
  ~mock_cluster();

  /// The bootstrap list, "host:port,host:port,...".
  [[nodiscard]] const std::string& bootstrap_servers() const noexcept;

  /// How many brokers there are; their IDs are 1..brokers().
  [[nodiscard]] std::size_t brokers() const noexcept;

  /// Creates `topic` with `partitions` partitions (replication factor 1). Creating a topic that
  /// exists is an error from librdkafka (TOPIC_ALREADY_EXISTS).
  expected<void> create_topic(std::string_view topic, int partitions);

  /// Takes broker `id` down (connections are closed and refused) or brings it back.
  expected<void> set_broker_down(std::int32_t id);
  expected<void> set_broker_up(std::int32_t id);

  /// Every broker down, or every broker up.
  expected<void> set_all_down();
  expected<void> set_all_up();

  /// Makes metadata requests for `topic` answer the librdkafka error `rd_kafka_resp_err`
  /// (0 clears it): clients then cannot produce to it.
  expected<void> set_topic_error(std::string_view topic, int rd_kafka_resp_err);

  /// Adds `rtt` to every response of broker `id`.
  expected<void> set_broker_rtt(std::int32_t id, std::chrono::milliseconds rtt);

 private:
  struct state;
  explicit mock_cluster(std::unique_ptr<state> s) noexcept;
  std::unique_ptr<state> state_;
};

}  // namespace hollywood::eventbus::kafka
