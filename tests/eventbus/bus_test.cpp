// SPDX-License-Identifier: MIT
// The bus against librdkafka's mock cluster over the real Kafka protocol: ordering, loss,
// commits, the two handler forms.
#include <hollywood/error.hpp>

#include "kafka_support.hpp"

#include <random>

namespace {

using namespace hollywood;
using namespace hollywood::test;
using kafka::attempt_completion;
using kafka::outcome;
using kafka::record;

TEST_F(kafka_test, each_aggregate_is_handled_in_order_while_aggregates_run_in_parallel) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 4));
  constexpr int aggregates = 200;
  constexpr int per_aggregate = 20;
  const auto produced = publish_sequenced(*publisher_, topic, aggregates, per_aggregate);
  ASSERT_EQ(produced.size(), static_cast<std::size_t>(aggregates * per_aggregate));

  handled_log log;
  const actor::pid runner = spawn_runner(*engine_);
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  std::mt19937 rng(7);
  std::mutex rng_mu;
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.enter();
    log.add(r);
    std::chrono::microseconds delay;
    {
      std::lock_guard lock(rng_mu);
      delay = std::chrono::microseconds(rng() % 3000);
    }
    // Completions arrive out of order across aggregates: the timer, not the record, decides.
    engine_->send_after(runner, run_later{[&log, done] {
                          log.leave();
                          done.succeed();
                        }},
                        delay);
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 60s))
      << log.distinct() << " of " << produced.size();
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_EQ(log.duplicates(), 0u);
  EXPECT_GT(log.max_running(), 1) << "records should overlap across aggregates";
  for (const auto& p : produced)
    EXPECT_TRUE(log.has(p)) << "lost " << p.first << "@" << p.second;
  EXPECT_TRUE(wait_fully_committed(topic, group, 4));
  const auto s = (*b)->stats();
  EXPECT_EQ(s.received, produced.size());
  EXPECT_EQ(s.handled, produced.size());
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_EQ(s.without_aggregate, 0u);
  (*b)->stop();
}

TEST_F(kafka_test, the_committed_offset_stops_at_the_first_record_not_done) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  const auto produced = publish_sequenced(*publisher_, topic, 20, 5);
  const std::int64_t held_offset = 37;  // some record in the middle

  handled_log log;
  std::mutex mu;
  std::optional<attempt_completion> parked;
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    if (r.offset() == held_offset) {
      std::lock_guard lock(mu);
      parked = done;  // finished later by the test
      return;
    }
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  // Everything finishes except the parked record and the 3 later records of its aggregate.
  ASSERT_TRUE(wait_until([&] { return (*b)->stats().handled == produced.size() - 4; }, 60s));
  const auto bs = cluster_->bootstrap_servers();
  ASSERT_TRUE(wait_until([&] { return committed_offsets(bs, group, topic, 1)[0] == held_offset; }));
  // Five commit intervals later the commit still has not jumped the gap (a negative can only be
  // checked over a bounded time).
  EXPECT_FALSE(
      wait_until([&] { return committed_offsets(bs, group, topic, 1)[0] != held_offset; }, 1s));
  {
    std::lock_guard lock(mu);
    ASSERT_TRUE(parked);
    parked->succeed();
  }
  EXPECT_TRUE(wait_fully_committed(topic, group, 1));
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_EQ(log.distinct(), produced.size());
}

TEST_F(kafka_test, blocking_handlers_run_on_handler_threads_not_engine_workers) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 30, 10);
  handled_log log;
  std::atomic<int> on_worker{0};
  auto cfg = config_for(topic, group);
  cfg.pool.handler_threads = 3;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle_blocking(topic, [&](const record& r) {
    // A blocking wait is refused on an engine worker; here it may wait (and times out).
    if (engine_->receive(0ms).error() == errc::blocking_in_actor) on_worker.fetch_add(1);
    log.add(r);
    return outcome::success();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 60s));
  EXPECT_EQ(on_worker.load(), 0);
  EXPECT_EQ(log.violations(), 0u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

TEST_F(kafka_test, records_without_an_aggregate_are_handled_unordered_and_counted) {
  const std::string topic = unique("events");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  std::vector<std::future<expected<kafka::delivery_report>>> pending;
  for (int i = 0; i < 50; ++i) {
    // No key, no header, no envelope field: nothing to order by.
    pending.push_back(std::async(std::launch::deferred, [&, i] {
      std::promise<expected<kafka::delivery_report>> p;
      auto f = p.get_future();
      publisher_->produce(topic, nullptr, "payload " + std::to_string(i), {},
                          [pp = std::make_shared<decltype(p)>(std::move(p))](auto r) {
                            pp->set_value(std::move(r));
                          });
      return f.get();
    }));
  }
  for (auto& f : pending)
    ASSERT_TRUE(f.get());
  std::atomic<int> handled{0};
  std::atomic<int> ordered{0};
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    if (r.ordered()) ordered.fetch_add(1);
    handled.fetch_add(1);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return handled.load() >= 50; }, 60s));
  EXPECT_EQ(ordered.load(), 0);
  EXPECT_EQ((*b)->stats().without_aggregate, 50u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

TEST_F(kafka_test, handlers_are_registered_once_per_topic_before_start) {
  const std::string topic = unique("orders");
  auto b = kafka::bus::create(*engine_, config_for(topic, unique("group")));
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)->start().error(), kafka::bus_errc::no_handler);
  auto ok = [](const record&) { return outcome::success(); };
  EXPECT_TRUE((*b)->handle_blocking(topic, ok));
  EXPECT_EQ((*b)->handle_blocking(topic, ok).error(), errc::invalid_argument);
  EXPECT_EQ((*b)->handle_blocking("", ok).error(), errc::invalid_argument);
  EXPECT_EQ((*b)->handle(topic, kafka::async_handler{}).error(), errc::invalid_argument);
  ASSERT_TRUE((*b)->start());
  EXPECT_EQ((*b)->handle_blocking("other", ok).error(), errc::already_started);
  EXPECT_EQ((*b)->start().error(), errc::already_started);
  (*b)->stop();
  (*b)->stop();  // idempotent
  EXPECT_TRUE((*b)->wait_stopped(0ms));
}

TEST_F(kafka_test, an_invalid_configuration_is_refused_with_the_field_named) {
  auto cfg = config_for(unique("orders"), unique("group"));
  cfg.retry.max_attempts = 0;
  std::string problem;
  auto b = kafka::bus::create(*engine_, cfg, {}, &problem);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(), errc::invalid_config);
  EXPECT_NE(problem.find("maxAttempts"), std::string::npos) << problem;
}

TEST_F(kafka_test, the_bus_is_ready_only_between_joining_its_group_and_stopping) {
  const std::string topic = unique("orders");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  auto b = kafka::bus::create(*engine_, config_for(topic, unique("group")));
  ASSERT_TRUE(b);
  ASSERT_TRUE(
      (*b)->handle_blocking(topic, [](const kafka::record&) { return kafka::outcome::success(); }));
  EXPECT_FALSE((*b)->ready()) << "not started";
  ASSERT_TRUE((*b)->start());
  EXPECT_TRUE(wait_until([&] { return (*b)->ready(); }, 60s));
  EXPECT_GT((*b)->stats().assigned_partitions, 0u) << "ready means it joined";
  (*b)->stop();
  EXPECT_FALSE((*b)->ready()) << "stopped";
}

}  // namespace
