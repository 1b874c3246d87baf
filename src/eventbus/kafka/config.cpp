// SPDX-License-Identifier: MIT
#include <hollywood/eventbus/kafka/config.hpp>

#include <array>
#include <string>

namespace hollywood::eventbus::kafka {

namespace {

// Settings the bus's correctness rests on (it stores offsets itself and lets librdkafka commit
// them), or that have a field of their own.
constexpr std::array<std::string_view, 4> reserved_properties = {
    "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store"};

}  // namespace

std::string bus_config::problem() const {
  for (const auto& b : kafka.brokers) {
    if (b.empty()) return "eventbus.kafka.brokers: empty broker address";
  }
  for (const auto& [key, value] : kafka.properties) {
    for (auto reserved : reserved_properties) {
      if (key == reserved) {
        return "eventbus.kafka.properties." + key +
               ": set by the bus (use kafka.brokers / kafka.consumer.groupId)";
      }
    }
  }
  if (kafka.producer.required_acks < -1 || kafka.producer.required_acks > 1) {
    return "eventbus.kafka.producer.requiredAcks: must be -1, 0 or 1";
  }
  if (kafka.producer.timeout.count() <= 0) return "eventbus.kafka.producer.timeout: must be > 0";
  if (kafka.consumer.group_id.empty()) return "eventbus.kafka.consumer.groupId: must be set";
  if (kafka.consumer.topics.empty()) return "eventbus.kafka.consumer.topics: must list a topic";
  for (const auto& t : kafka.consumer.topics) {
    if (t.empty()) return "eventbus.kafka.consumer.topics: empty topic name";
  }
  if (kafka.consumer.commit_interval.count() <= 0) {
    return "eventbus.kafka.consumer.commitInterval: must be > 0";
  }
  if (kafka.consumer.revoke_timeout.count() < 0) {
    return "eventbus.kafka.consumer.revokeTimeout: must be >= 0";
  }
  if (kafka.consumer.shutdown_timeout.count() < 0) {
    return "eventbus.kafka.consumer.shutdownTimeout: must be >= 0";
  }
  if (pool.routing == pool_routing::hashed && pool.size == 0) {
    return "eventbus.pool.size: must be >= 1";
  }
  if (pool.max_in_flight == 0) return "eventbus.pool.maxInFlight: must be >= 1";
  if (pool.handler_threads == 0) return "eventbus.pool.handlerThreads: must be >= 1";
  if (pool.idle_ttl.count() <= 0) return "eventbus.pool.idleTtl: must be > 0";
  if (retry.max_attempts == 0) return "eventbus.retry.maxAttempts: must be >= 1";
  if (retry.initial_backoff.count() < 0) return "eventbus.retry.initialBackoff: must be >= 0";
  if (retry.max_backoff < retry.initial_backoff) {
    return "eventbus.retry.maxBackoff: must be >= initialBackoff";
  }
  for (const auto& t : kafka.consumer.topics) {
    if (dead_letter_topic(t) == t) {
      return "eventbus.deadLetter.topic: must differ from the consumed topic '" + t + "'";
    }
  }
  if (!metrics.listen.empty() && metrics.listen.find(':') == std::string::npos) {
    return "eventbus.metrics.listen: expected host:port";
  }
  return {};
}

std::string bus_config::dead_letter_topic(std::string_view topic) const {
  if (!dead_letter.topic.empty()) return dead_letter.topic;
  std::string t(topic);
  t += default_dead_letter_suffix;
  return t;
}

}  // namespace hollywood::eventbus::kafka
