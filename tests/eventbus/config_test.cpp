// SPDX-License-Identifier: MIT
#include <hollywood/error.hpp>
#include <hollywood/eventbus/kafka/config.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace hollywood::eventbus::kafka;
using namespace std::chrono_literals;

// The example of issue 7, verbatim.
constexpr const char* issue_example = R"(
eventbus:
  type: kafka
  kafka:
    brokers: ["127.0.0.1:9092"]      # empty or absent: start the embedded broker
    properties: {}                    # passed to librdkafka as is (security.protocol, sasl.*, ssl.* …)
    producer: {requiredAcks: -1, timeout: 10s}
    consumer: {groupId: orders, topics: [orders], startOffset: earliest}
  pool: {size: 256, maxInFlight: 10000}
  retry: {maxAttempts: 5, initialBackoff: 100ms, maxBackoff: 10s}
  deadLetter: {topic: orders.dlq}
  aggregateId: {envelopeField: aggregateId, header: aggregate-id}
  onMalformed: dlq
  metrics: {listen: "127.0.0.1:9464"}
)";

TEST(config, the_issue_example_parses_field_by_field) {
  std::string problem;
  auto cfg = parse_config(issue_example, problem);
  ASSERT_TRUE(cfg) << problem;
  EXPECT_EQ(cfg->kafka.brokers, std::vector<std::string>{"127.0.0.1:9092"});
  EXPECT_TRUE(cfg->kafka.properties.empty());
  EXPECT_EQ(cfg->kafka.producer.required_acks, -1);
  EXPECT_EQ(cfg->kafka.producer.timeout, 10s);
  EXPECT_EQ(cfg->kafka.consumer.group_id, "orders");
  EXPECT_EQ(cfg->kafka.consumer.topics, std::vector<std::string>{"orders"});
  EXPECT_EQ(cfg->kafka.consumer.start, start_offset::earliest);
  EXPECT_EQ(cfg->pool.size, 256u);
  EXPECT_EQ(cfg->pool.max_in_flight, 10000u);
  EXPECT_EQ(cfg->retry.max_attempts, 5u);
  EXPECT_EQ(cfg->retry.initial_backoff, 100ms);
  EXPECT_EQ(cfg->retry.max_backoff, 10s);
  EXPECT_EQ(cfg->dead_letter.topic, "orders.dlq");
  EXPECT_EQ(cfg->aggregate_id.envelope_field, "aggregateId");
  EXPECT_EQ(cfg->aggregate_id.header, "aggregate-id");
  EXPECT_EQ(cfg->on_malformed, malformed_policy::dlq);
  EXPECT_EQ(cfg->metrics.listen, "127.0.0.1:9464");
}

TEST(config, defaults_fill_what_is_left_out_and_absent_brokers_mean_embedded) {
  std::string problem;
  auto cfg = parse_config(
      "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [a, b]}\n"
      "    properties: {session.timeout.ms: 6000, security.protocol: plaintext}\n"
      "  pool: {mode: perAggregate, idleTtl: 2m, maxInFlightPerPartition: 1}\n"
      "  onMalformed: skip\n",
      problem);
  ASSERT_TRUE(cfg) << problem;
  EXPECT_TRUE(cfg->kafka.brokers.empty());
  EXPECT_EQ(cfg->kafka.properties.at("session.timeout.ms"), "6000");
  EXPECT_EQ(cfg->pool.routing, pool_routing::per_aggregate);
  EXPECT_EQ(cfg->pool.idle_ttl, 120s);
  EXPECT_EQ(cfg->pool.max_in_flight_per_partition, 1u);
  EXPECT_EQ(cfg->pool.size, default_pool_size);
  EXPECT_EQ(cfg->retry.max_attempts, default_max_attempts);
  EXPECT_EQ(cfg->on_malformed, malformed_policy::skip);
  EXPECT_EQ(cfg->dead_letter_topic("a"), "a.dlq");
}

struct rejection {
  const char* yaml;
  const char* names;  // the key the problem must name
};

class config_rejects : public ::testing::TestWithParam<rejection> {};

TEST_P(config_rejects, with_a_message_naming_the_key) {
  std::string problem;
  auto cfg = parse_config(GetParam().yaml, problem);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error(), hollywood::errc::invalid_config);
  EXPECT_NE(problem.find(GetParam().names), std::string::npos) << problem;
}

INSTANTIATE_TEST_SUITE_P(
    config, config_rejects,
    ::testing::Values(
        rejection{
            "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n  pool: {sise: 3}\n",
            "eventbus.pool.sise"},
        rejection{"eventbus:\n  tipe: kafka\n", "eventbus.tipe"},
        rejection{"other: 1\n", "(root).other"},
        rejection{"eventbus:\n  type: rabbitmq\n", "eventbus.type"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "  retry: {maxAttempts: five}\n",
                  "eventbus.retry.maxAttempts: expected an integer"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "  retry: {initialBackoff: 100}\n",
                  "eventbus.retry.initialBackoff: expected a duration"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: t}\n",
                  "eventbus.kafka.consumer.topics: expected a list"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: [g], topics: [t]}\n",
                  "eventbus.kafka.consumer.groupId: expected a string"},
        rejection{
            "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t], startOffset: middle}\n",
            "eventbus.kafka.consumer.startOffset"},
        rejection{
            "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n  onMalformed: drop\n",
            "eventbus.onMalformed: expected one of dlq, skip, fail"},
        rejection{
            "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n  pool: {size: 0}\n",
            "eventbus.pool.size"},
        rejection{"eventbus:\n  kafka:\n    consumer: {topics: [t]}\n",
                  "eventbus.kafka.consumer.groupId"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "    properties: {enable.auto.commit: false}\n",
                  "eventbus.kafka.properties.enable.auto.commit"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "    producer: {requiredAcks: 2}\n",
                  "eventbus.kafka.producer.requiredAcks"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "  deadLetter: {topic: t}\n",
                  "eventbus.deadLetter.topic"},
        rejection{"eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n"
                  "  metrics: {listen: nowhere}\n",
                  "eventbus.metrics.listen"},
        rejection{"eventbus: [unclosed\n", "not valid YAML"}));

TEST(config, a_missing_file_is_an_error_that_names_it) {
  std::string problem;
  auto cfg = load_config("/nonexistent/bus.yaml", problem);
  ASSERT_FALSE(cfg);
  EXPECT_NE(problem.find("/nonexistent/bus.yaml"), std::string::npos);
}

TEST(config, code_built_configurations_are_checked_too) {
  bus_config cfg;
  EXPECT_NE(cfg.problem().find("groupId"), std::string::npos);
  cfg.kafka.consumer.group_id = "g";
  cfg.kafka.consumer.topics = {"t"};
  EXPECT_EQ(cfg.problem(), "");
  cfg.retry.max_backoff = std::chrono::milliseconds(1);
  EXPECT_NE(cfg.problem().find("maxBackoff"), std::string::npos);
}

}  // namespace
