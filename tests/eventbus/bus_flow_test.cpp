// SPDX-License-Identifier: MIT
// Flow control against the mock cluster: back-pressure with bounded memory, a dead-letter topic
// that refuses records, a broker outage, per-aggregate actors that passivate.
#include <hollywood/error.hpp>

#include "kafka_support.hpp"

#include <hollywood_test/recorder.hpp>
#include <thread>

namespace {

using namespace hollywood;
using namespace hollywood::test;
using kafka::attempt_completion;
using kafka::outcome;
using kafka::record;

TEST_F(kafka_test, a_slow_handler_pauses_partitions_and_memory_stays_bounded) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 100, 6);
  constexpr std::size_t bound = 64;
  // Slower than the bus waits at its bound before pausing (it commits and waits first).
  constexpr auto slow = 150ms;
  handled_log log;
  const actor::pid runner = spawn_runner(*engine_);
  std::atomic<std::size_t> max_held{0};
  std::atomic<std::size_t> max_in_flight{0};
  std::atomic<std::size_t> saw_paused{0};
  auto cfg = config_for(topic, group);
  cfg.pool.max_in_flight = bound;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  kafka::bus* bus = b->get();
  auto raise = [](std::atomic<std::size_t>& to, std::size_t v) {
    std::size_t seen = to.load();
    while (v > seen && !to.compare_exchange_weak(seen, v)) {
    }
  };
  ASSERT_TRUE(bus->handle(topic, [&](const record& r, attempt_completion done) {
    const auto s = bus->stats();
    raise(max_held, s.held);
    raise(max_in_flight, s.in_flight);
    raise(saw_paused, s.paused_partitions);
    log.add(r);
    engine_->send_after(runner, run_later{[done] { done.succeed(); }}, slow);
  }));
  ASSERT_TRUE(bus->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 120s))
      << log.distinct() << " of " << produced.size();
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_LE(max_held.load(), bound) << "accepted and uncommitted records exceeded the bound";
  EXPECT_LE(max_in_flight.load(), bound);
  EXPECT_GT(saw_paused.load(), 0u) << "the partitions should have been paused";
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
  EXPECT_TRUE(wait_until([&] { return bus->stats().paused_partitions == 0; }));
}

TEST_F(kafka_test, a_failing_dead_letter_topic_pauses_the_partition_and_holds_its_commit) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  const std::string dlq = topic + ".dlq";
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  ASSERT_TRUE(cluster_->create_topic(dlq, 1));
  ASSERT_TRUE(cluster_->set_topic_error(dlq, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  const auto produced = publish_sequenced(*publisher_, topic, 5, 4);
  recorder events(*engine_);
  engine_->subscribe(events.pid());
  auto cfg = config_for(topic, group);
  cfg.retry.max_attempts = 1;
  cfg.kafka.producer.timeout = 500ms;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  const std::int64_t poison = produced[7].second;
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    if (r.offset() == poison) {
      done.fail("poison");
    } else {
      done.succeed();
    }
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(events.wait_count<kafka::bus_error_event>(1, 60s));
  ASSERT_TRUE(wait_until([&] {
    const auto s = (*b)->stats();
    return s.dead_letter_failures >= 2 && s.paused_partitions == 1;
  }));
  const auto bs = cluster_->bootstrap_servers();
  ASSERT_TRUE(wait_until([&] { return committed_offsets(bs, group, topic, 1)[0] == poison; }));
  EXPECT_EQ((*b)->stats().dead_lettered, 0u);

  ASSERT_TRUE(cluster_->set_topic_error(dlq, 0));
  ASSERT_TRUE(events.wait_count<kafka::record_dead_lettered_event>(1, 60s));
  EXPECT_TRUE(wait_fully_committed(topic, group, 1));
  EXPECT_TRUE(wait_until([&] { return (*b)->stats().paused_partitions == 0; }));
  EXPECT_EQ(read_topic(bs, dlq, 1, 1).size(), 1u);
}

TEST_F(kafka_test, consumption_resumes_after_the_brokers_were_down_for_five_seconds) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  auto before = publish_sequenced(*publisher_, topic, 50, 4);
  handled_log log;
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= before.size(); }, 60s));

  // Records published during the outage wait in the producer and go out once it is over (its
  // delivery timeout covers the outage and librdkafka's reconnect back-off of up to 10 s).
  auto patient =
      kafka::publisher::create(cluster_->bootstrap_servers(), kafka::producer_config{-1, 60s});
  ASSERT_TRUE(patient);
  ASSERT_TRUE(cluster_->set_all_down());
  std::vector<position> during;
  std::thread producer([&] { during = publish_sequenced(**patient, topic, 50, 4, "late-"); });
  std::this_thread::sleep_for(5s);  // the outage itself, not a wait for a result
  ASSERT_TRUE(cluster_->set_all_up());
  producer.join();
  ASSERT_EQ(during.size(), 200u);
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= before.size() + during.size(); }, 90s))
      << log.distinct();
  for (const auto& p : during)
    EXPECT_TRUE(log.has(p)) << "lost " << p.first << "@" << p.second;
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

TEST_F(kafka_test, per_aggregate_actors_passivate_when_idle_and_come_back_in_order) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  auto first = publish_sequenced(*publisher_, topic, 30, 3);
  handled_log log;
  auto cfg = config_for(topic, group);
  cfg.pool.routing = kafka::pool_routing::per_aggregate;
  cfg.pool.idle_ttl = 300ms;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= first.size(); }, 60s));
  EXPECT_GE((*b)->stats().pool_actors, 2u);
  // Idle: only the actor for records without an aggregate stays.
  ASSERT_TRUE(wait_until([&] { return (*b)->stats().pool_actors == 1; }));
  // The aggregates come back with their next events, still in order.
  std::vector<std::future<expected<kafka::delivery_report>>> more;
  for (int a = 0; a < 30; ++a) {
    const std::string agg = "agg-" + std::to_string(a);
    for (int s = 3; s < 6; ++s)
      more.push_back(publisher_->publish(topic, agg, envelope(agg, static_cast<std::uint64_t>(s))));
  }
  for (auto& f : more)
    ASSERT_TRUE(f.get());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= first.size() + more.size(); }, 60s));
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

}  // namespace
