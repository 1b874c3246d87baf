// SPDX-License-Identifier: MIT
// Failures against the mock cluster: retries in order, dead letters read back from Kafka, pool
// actors that crash past their restarts, the three malformed-record policies.
#include <hollywood/error.hpp>

#include "kafka_support.hpp"

#include <hollywood_test/recorder.hpp>

namespace {

using namespace hollywood;
using namespace hollywood::test;
using kafka::attempt_completion;
using kafka::outcome;
using kafka::record;

TEST_F(kafka_test, a_poison_record_is_retried_dead_lettered_with_its_origin_then_committed) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 10, 5);
  recorder events(*engine_);
  engine_->subscribe(events.pid());

  handled_log log;
  std::atomic<int> poison_attempts{0};
  auto cfg = config_for(topic, group);
  cfg.retry.max_attempts = 3;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    if (r.aggregate_id() == "agg-3" && seq_of(r.value()) == 2) {
      poison_attempts.fetch_add(1);
      done.fail("cannot apply event 2 of agg-3");
      return;
    }
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(events.wait_count<kafka::record_dead_lettered_event>(1, 60s));
  const auto dl = events.all<kafka::record_dead_lettered_event>().front();
  EXPECT_EQ(dl.aggregate_id, "agg-3");
  EXPECT_EQ(dl.attempts, 3u);
  EXPECT_EQ(dl.dead_letter_topic, topic + ".dlq");
  EXPECT_EQ(poison_attempts.load(), 3);

  // Read back from the dead-letter topic with a plain client.
  const auto dlq = read_topic(cluster_->bootstrap_servers(), topic + ".dlq", 4, 1);
  ASSERT_EQ(dlq.size(), 1u);
  const auto& d = dlq.front();
  EXPECT_EQ(d.key, "agg-3");
  EXPECT_EQ(seq_of(d.value), 2);
  EXPECT_EQ(d.headers.at("hollywood-dlq-source-topic"), topic);
  EXPECT_EQ(d.headers.at("hollywood-dlq-source-partition"), std::to_string(dl.partition));
  EXPECT_EQ(d.headers.at("hollywood-dlq-source-offset"), std::to_string(dl.offset));
  EXPECT_EQ(d.headers.at("hollywood-dlq-attempts"), "3");
  EXPECT_EQ(d.headers.at("hollywood-dlq-error"), "cannot apply event 2 of agg-3");

  // Then it counts as done: everything is committed, and agg-3 went on after it, in order.
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
  EXPECT_EQ(log.distinct(), produced.size() - 1);
  std::vector<std::int64_t> agg3;
  for (const auto& [agg, seq] : log.order()) {
    if (agg == "agg-3") agg3.push_back(seq);
  }
  EXPECT_EQ(agg3, (std::vector<std::int64_t>{0, 1, 3, 4}));
  const auto s = (*b)->stats();
  EXPECT_EQ(s.dead_lettered, 1u);
  EXPECT_EQ(s.retries, 2u);
}

TEST_F(kafka_test, a_throwing_handler_is_retried_while_its_aggregate_waits) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 8, 6);
  handled_log log;
  std::mutex mu;
  std::vector<std::uint32_t> attempts_seen;
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle_blocking(topic, [&](const record& r) {
    if (r.aggregate_id() == "agg-5" && seq_of(r.value()) == 1) {
      {
        std::lock_guard lock(mu);
        attempts_seen.push_back(r.attempt());
      }
      if (r.attempt() < 3) throw std::runtime_error("transient failure");
    }
    log.add(r);
    return outcome::success();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 60s));
  EXPECT_EQ(log.violations(), 0u) << "agg-5's later records must wait for the retries";
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(attempts_seen, (std::vector<std::uint32_t>{1, 2, 3}));
  }
  EXPECT_EQ((*b)->stats().retries, 2u);
  EXPECT_EQ((*b)->stats().dead_lettered, 0u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

TEST_F(kafka_test, a_pool_actor_crashing_past_its_restarts_is_replaced_and_loses_nothing) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 40, 5);
  // A middleware that crashes on the first 4 messages of each slot: with 3 restarts allowed the
  // slot's actor is stopped for good; its replacement (same slot, next generation) is spared.
  std::mutex mu;
  std::map<std::string, int> crashes;
  actor::middleware crasher = [&](actor::receive_fn next) {
    return [&, next](actor::context& ctx) {
      const bool lifecycle =
          ctx.is<actor::initialized>() || ctx.is<actor::started>() || ctx.is<actor::stopped>();
      if (!lifecycle) {
        const std::string id(ctx.self().id());
        const std::string slot = id.substr(0, id.rfind('-'));  // drop the generation
        std::lock_guard lock(mu);
        if (++crashes[slot] <= 4) throw std::runtime_error("middleware crash");
      }
      next(ctx);
    };
  };
  handled_log log;
  kafka::bus_options opts;
  opts.pool_middleware = {crasher};
  opts.pool_restart_delay = 10ms;
  auto cfg = config_for(topic, group);
  cfg.pool.size = 2;
  auto b = kafka::bus::create(*engine_, cfg, opts);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 60s))
      << log.distinct() << " of " << produced.size();
  EXPECT_EQ(log.violations(), 0u);
  const auto s = (*b)->stats();
  EXPECT_GE(s.actor_restarts, 3u);
  EXPECT_GE(s.actors_replaced, 1u);
  EXPECT_TRUE(wait_fully_committed(topic, group, 2));
}

/// Publishes to partition-keyed positions: good envelopes around two broken ones.
std::vector<position> publish_with_malformed(kafka::publisher& pub, const std::string& topic) {
  std::vector<std::string> values = {envelope("a", 0), "{broken json", envelope("a", 1),
                                     R"({"aggregateId":[1,2]})", envelope("a", 2)};
  std::vector<position> out;
  for (const auto& v : values) {
    auto r = pub.publish(topic, "a", v).get();
    EXPECT_TRUE(r);
    if (r) out.emplace_back(r->partition, r->offset);
  }
  return out;
}

TEST_F(kafka_test, malformed_records_under_dlq_go_to_the_dead_letter_topic) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  publish_with_malformed(*publisher_, topic);
  handled_log log;
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  EXPECT_TRUE(wait_fully_committed(topic, group, 1));
  EXPECT_EQ(log.distinct(), 3u);
  EXPECT_EQ(log.violations(), 0u);
  const auto dlq = read_topic(cluster_->bootstrap_servers(), topic + ".dlq", 4, 2);
  ASSERT_EQ(dlq.size(), 2u);
  for (const auto& d : dlq) {
    EXPECT_NE(d.headers.at("hollywood-dlq-error").find("malformed"), std::string::npos);
    EXPECT_EQ(d.headers.at("hollywood-dlq-attempts"), "0");
  }
  EXPECT_EQ((*b)->stats().malformed, 2u);
  EXPECT_EQ((*b)->stats().dead_lettered, 2u);
}

TEST_F(kafka_test, malformed_records_under_skip_are_counted_reported_and_committed) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  const auto produced = publish_with_malformed(*publisher_, topic);
  recorder events(*engine_);
  engine_->subscribe(events.pid());
  handled_log log;
  auto cfg = config_for(topic, group);
  cfg.on_malformed = kafka::malformed_policy::skip;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  EXPECT_TRUE(wait_fully_committed(topic, group, 1));
  EXPECT_EQ(log.distinct(), 3u);
  ASSERT_TRUE(events.wait_count<kafka::record_skipped_event>(2));
  const auto skipped = events.all<kafka::record_skipped_event>();
  EXPECT_EQ(skipped[0].offset, produced[1].second);
  EXPECT_EQ(skipped[1].offset, produced[3].second);
  EXPECT_EQ((*b)->stats().skipped, 2u);
  EXPECT_TRUE(read_topic(cluster_->bootstrap_servers(), topic + ".dlq", 4, 1, 500ms).empty());
}

TEST_F(kafka_test, a_malformed_record_under_fail_stops_the_bus_without_committing_past_it) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  const auto produced = publish_with_malformed(*publisher_, topic);
  handled_log log;
  auto cfg = config_for(topic, group);
  cfg.on_malformed = kafka::malformed_policy::fail;
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    log.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE((*b)->wait_stopped(60s));
  EXPECT_EQ((*b)->failure(), kafka::bus_errc::malformed_record);
  // The record before it was handled and committed; the malformed one and beyond were not.
  EXPECT_EQ(committed_offsets(cluster_->bootstrap_servers(), group, topic, 1)[0],
            produced[1].second);
  EXPECT_TRUE(log.has(produced[0]));
  (*b)->stop();
}

}  // namespace
