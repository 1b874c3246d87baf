// SPDX-License-Identifier: MIT
// Two consumers in one group (in one process, so ThreadSanitizer sees the revoke path), the
// HTTP metrics endpoint, and kcat as an independent client.
#include <hollywood/error.hpp>

#include "kafka_support.hpp"

#include <cstdio>
#include <hollywood_test/http_get.hpp>
#include <hollywood_test/recorder.hpp>
#include <thread>

namespace {

using namespace hollywood;
using namespace hollywood::test;
using kafka::attempt_completion;
using kafka::outcome;
using kafka::record;

/// Publishes sequenced envelopes for `aggregates` aggregates in rounds until stopped.
class steady_producer {
 public:
  steady_producer(kafka::publisher& pub, std::string topic, int aggregates)
      : thread_([this, &pub, topic = std::move(topic), aggregates] {
          for (std::uint64_t seq = 0; !stop_.load(); ++seq) {
            std::vector<std::future<expected<kafka::delivery_report>>> round;
            for (int a = 0; a < aggregates; ++a) {
              const std::string agg = "agg-" + std::to_string(a);
              round.push_back(pub.publish(topic, agg, envelope(agg, seq)));
            }
            for (auto& f : round) {
              auto r = f.get();
              std::lock_guard lock(mu_);
              if (r) produced_.emplace_back(r->partition, r->offset);
            }
            std::this_thread::sleep_for(20ms);  // pacing: a steady stream, not a burst
          }
        }) {}
  ~steady_producer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<position> produced() const {
    std::lock_guard lock(mu_);
    return produced_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<position> produced_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(kafka_test, a_second_consumer_joins_and_leaves_without_loss_and_duplicates_are_counted) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 4));
  recorder events(*engine_);
  engine_->subscribe(events.pid());
  handled_log log;
  const actor::pid runner = spawn_runner(*engine_);
  std::atomic<int> handled_by_b{0};
  auto make = [&](std::atomic<int>* counter) {
    auto cfg = config_for(topic, group);
    cfg.pool.max_in_flight = 5000;
    auto b = kafka::bus::create(*engine_, cfg);
    EXPECT_TRUE(b);
    EXPECT_TRUE((*b)->handle(topic, [&, counter](const record& r, attempt_completion done) {
      log.add(r);
      if (counter != nullptr) counter->fetch_add(1);
      engine_->send_after(runner, run_later{[done] { done.succeed(); }}, 1ms);
    }));
    return std::move(*b);
  };
  auto a = make(nullptr);
  ASSERT_TRUE(a->start());
  steady_producer producer(*publisher_, topic, 50);
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= 500; }, 60s));

  auto b = make(&handled_by_b);
  ASSERT_TRUE(b->start());
  ASSERT_TRUE(wait_until([&] { return handled_by_b.load() >= 300; }, 60s))
      << "the second consumer never got partitions";
  ASSERT_TRUE(events.wait_count<kafka::partitions_revoked_event>(1));

  b->stop();  // leaves the group: its partitions go back to the first consumer
  const auto handled_by_b_at_leave = handled_by_b.load();
  // 4 initial assignments of A, 2 of B, then A takes B's 2 back.
  ASSERT_TRUE(events.wait_count<kafka::partitions_assigned_event>(8, 60s))
      << "the first consumer did not take the partitions back";
  producer.stop();
  const auto produced = producer.produced();
  ASSERT_TRUE(wait_until([&] { return log.distinct() >= produced.size(); }, 60s))
      << log.distinct() << " of " << produced.size();
  for (const auto& p : produced)
    ASSERT_TRUE(log.has(p)) << "lost " << p.first << "@" << p.second;
  EXPECT_EQ(handled_by_b.load(), handled_by_b_at_leave);
  EXPECT_EQ(log.violations(), 0u) << "an aggregate skipped ahead across the hand-over";
  const auto counted = a->stats().rebalance_duplicates + b->stats().rebalance_duplicates;
  EXPECT_LE(log.duplicates(), counted) << "duplicates beyond what the consumers reported";
  EXPECT_TRUE(wait_fully_committed(topic, group, 4));
  a->stop();
}

TEST_F(kafka_test, revoked_work_gets_a_deadline_then_is_cancelled_and_its_late_results_discarded) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  const auto produced = publish_sequenced(*publisher_, topic, 20, 3);
  // The first consumer starts every record and finishes none: all of it is in flight when the
  // second consumer joins.
  std::mutex mu;
  std::vector<std::pair<const record*, attempt_completion>> parked;
  handled_log by_b;
  auto cfg = config_for(topic, group);
  cfg.kafka.consumer.revoke_timeout = 1s;
  auto a = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(a);
  ASSERT_TRUE((*a)->handle(topic, [&](const record& r, attempt_completion done) {
    std::lock_guard lock(mu);
    parked.emplace_back(&r, std::move(done));
  }));
  ASSERT_TRUE((*a)->start());
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return parked.size() >= 20;  // the first record of every aggregate
  }));
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    by_b.add(r);
    done.succeed();
  }));
  ASSERT_TRUE((*b)->start());
  // After the revocation's deadline, the handlers of the revoked partition see the cancellation.
  ASSERT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(mu);
        for (const auto& [r, done] : parked) {
          if (r->cancelled()) return true;
        }
        return false;
      },
      60s));
  ASSERT_TRUE(wait_until([&] { return by_b.distinct() >= 1; }, 60s));
  // Their results come too late: discarded, counted, and not committed.
  {
    std::lock_guard lock(mu);
    for (auto& [r, done] : parked) {
      if (r->cancelled()) done.succeed();
    }
  }
  ASSERT_TRUE(wait_until([&] { return (*a)->stats().rebalance_duplicates >= 1; }));
  EXPECT_TRUE(wait_until([&] {
    return (*a)->metrics().exposition().find("kafka_eventbus_rebalance_late_results_total 0") ==
           std::string::npos;
  }));
  // The second consumer handles the revoked partition from its committed offset, in order.
  EXPECT_EQ(by_b.violations(), 0u);
  {
    std::lock_guard lock(mu);
    for (auto& [r, done] : parked) {
      if (!r->cancelled()) done.succeed();
    }
  }
  (*a)->stop();
  (*b)->stop();
}

// The only test of this binary with an HTTP exposer (destroying one takes ~2 s).
TEST_F(kafka_test, the_metrics_endpoint_serves_the_bus_counters) {
  const std::string topic = unique("orders");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 1));
  const auto produced = publish_sequenced(*publisher_, topic, 10, 10);
  auto cfg = config_for(topic, group);
  cfg.metrics.listen = "127.0.0.1:0";
  auto b = kafka::bus::create(*engine_, cfg);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle(topic, [&](const record& r, attempt_completion done) {
    if (r.attempt() == 1 && seq_of(r.value()) == 3) {
      done.fail("once");
    } else {
      done.succeed();
    }
  }));
  ASSERT_TRUE((*b)->start());
  EXPECT_TRUE(wait_fully_committed(topic, group, 1));
  const std::string endpoint = (*b)->metrics_endpoint();
  ASSERT_FALSE(endpoint.empty());
  const auto port = static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
  auto value_of = [&](const std::string& body, const std::string& series) {
    const auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1.0 : std::stod(body.substr(at + series.size() + 2));
  };
  std::string body;
  ASSERT_TRUE(wait_until([&] {
    auto r = http_get(port, "/metrics");
    if (!r || r->status != 200) return false;
    body = r->body;
    return value_of(body, "kafka_eventbus_partition_committed_offset{partition=\"0\",topic=\"" +
                              topic + "\"}") == 100.0;
  })) << body;
  EXPECT_EQ(value_of(body, "kafka_eventbus_records_received_total"), 100.0) << body;
  EXPECT_EQ(value_of(body, "kafka_eventbus_actor_pool_messages_sent_total"), 100.0);
  EXPECT_EQ(
      value_of(body, "kafka_eventbus_actor_pool_messages_processed_total{outcome=\"handled\"}"),
      100.0);
  EXPECT_EQ(value_of(body, "kafka_eventbus_retries_total"), 10.0);
  EXPECT_EQ(value_of(body, "kafka_eventbus_actor_pool_message_latency_seconds_count"), 100.0);
  EXPECT_GE(value_of(body, "kafka_eventbus_commits_total"), 1.0);
  EXPECT_EQ(value_of(body, "kafka_eventbus_assigned_partitions"), 1.0);
  for (const char* name :
       {"kafka_eventbus_actor_pool_inbox_depth", "kafka_eventbus_actor_pool_inbox_utilization",
        "kafka_eventbus_actor_pool_actor_restarted_total",
        "kafka_eventbus_actor_pool_dead_letters_total", "kafka_eventbus_dlq_records_total",
        "kafka_eventbus_commit_failures_total", "kafka_eventbus_paused_partitions",
        "kafka_eventbus_stalled_partitions", "kafka_eventbus_rebalance_duplicates_total",
        "kafka_eventbus_partition_lag"}) {
    EXPECT_NE(body.find(std::string("\n") + name), std::string::npos) << name;
  }
}

/// Runs `command`, feeding it `input` on stdin; returns its exit status.
int run_with_input(const std::string& command, const std::string& input) {
  FILE* p = ::popen(command.c_str(), "w");
  if (p == nullptr) return -1;
  std::fwrite(input.data(), 1, input.size(), p);
  return ::pclose(p);
}

/// Runs `command`; returns its stdout.
std::string run_for_output(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST_F(kafka_test, records_produced_by_kcat_are_consumed_in_key_order_with_their_headers) {
  const std::string topic = unique("kcat");
  const std::string group = unique("group");
  ASSERT_TRUE(cluster_->create_topic(topic, 3));
  std::string lines;
  for (int i = 0; i < 10; ++i) {
    for (const char* key : {"k1", "k2", "k3"})
      lines += std::string(key) + ":event " + std::to_string(i) + "\n";
  }
  ASSERT_EQ(run_with_input("kcat -b " + cluster_->bootstrap_servers() + " -P -t " + topic +
                               " -K: -H source=kcat -X enable.idempotence=true",
                           lines),
            0);
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> by_key;
  std::atomic<int> with_header{0};
  auto b = kafka::bus::create(*engine_, config_for(topic, group));
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->handle_blocking(topic, [&](const record& r) {
    for (const auto& h : r.headers()) {
      if (h.key == "source" && h.value == "kcat") with_header.fetch_add(1);
    }
    EXPECT_EQ(r.aggregate_from(), kafka::aggregate_source::key);
    std::lock_guard lock(mu);
    by_key[std::string(r.aggregate_id())].emplace_back(r.value());
    return outcome::success();
  }));
  ASSERT_TRUE((*b)->start());
  ASSERT_TRUE(wait_until([&] { return with_header.load() >= 30; }, 60s));
  std::lock_guard lock(mu);
  ASSERT_EQ(by_key.size(), 3u);
  for (const auto& [key, values] : by_key) {
    ASSERT_EQ(values.size(), 10u) << key;
    for (int i = 0; i < 10; ++i)
      EXPECT_EQ(values[static_cast<std::size_t>(i)], "event " + std::to_string(i)) << key;
  }
}

TEST_F(kafka_test, kcat_reads_what_the_publisher_published_keyed_by_aggregate) {
  const std::string topic = unique("published");
  ASSERT_TRUE(cluster_->create_topic(topic, 2));
  auto first = publisher_->publish(topic, "order-1", "first", {{"h", "v"}}).get();
  auto second = publisher_->publish(topic, "order-1", "second").get();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->topic, topic);
  EXPECT_EQ(first->partition, second->partition) << "one aggregate, one partition";
  EXPECT_EQ(second->offset, first->offset + 1);
  const std::string out = run_for_output("kcat -b " + cluster_->bootstrap_servers() + " -C -t " +
                                         topic + " -o beginning -e -q -f '%k %s %h\\n'");
  EXPECT_NE(out.find("order-1 first h=v"), std::string::npos) << out;
  EXPECT_NE(out.find("order-1 second"), std::string::npos) << out;
}

TEST_F(kafka_test, a_publish_to_unreachable_brokers_reports_the_failure) {
  auto pub =
      kafka::publisher::create(cluster_->bootstrap_servers(), kafka::producer_config{-1, 300ms});
  ASSERT_TRUE(pub);
  ASSERT_TRUE(cluster_->set_all_down());
  auto r = (*pub)->publish(unique("orders"), "a", "x").get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category(), kafka::kafka_category());
  ASSERT_TRUE(cluster_->set_all_up());
}

}  // namespace
