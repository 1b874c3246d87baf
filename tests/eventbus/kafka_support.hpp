// SPDX-License-Identifier: MIT
#pragma once

// What the bus tests share: a fresh mock cluster and engine per test, unique topic and group
// names, a keyed producer of sequenced envelopes, and independent views of the broker's state
// through plain librdkafka clients (committed offsets, high watermarks, a topic read from the
// beginning), so assertions never take the bus's word for what Kafka holds.

#include <hollywood/actor.hpp>
#include <hollywood/eventbus.hpp>

#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <hollywood_test/wait.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::test {

namespace kafka = hollywood::eventbus::kafka;
using namespace std::chrono_literals;

/// A record read straight from a topic.
struct raw_record {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

/// Creates a consumer handle with `group` (never joins: assign and OffsetFetch only).
inline rd_kafka_t* raw_consumer(const std::string& bootstrap, const std::string& group) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  return rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
}

/// The group's committed offset per partition (-1001: none yet).
inline std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& bootstrap,
                                                              const std::string& group,
                                                              const std::string& topic,
                                                              int partitions) {
  std::map<std::int32_t, std::int64_t> out;
  rd_kafka_t* rk = raw_consumer(bootstrap, group);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  if (rd_kafka_committed(rk, list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i)
      out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return out;
}

/// The high watermark (one past the last offset) per partition.
inline std::map<std::int32_t, std::int64_t> high_watermarks(const std::string& bootstrap,
                                                            const std::string& topic,
                                                            int partitions) {
  std::map<std::int32_t, std::int64_t> out;
  rd_kafka_t* rk = raw_consumer(bootstrap, "watermarks");
  for (int p = 0; p < partitions; ++p) {
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10'000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      out[p] = hi;
    }
  }
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return out;
}

/// Reads `topic` from the beginning until `expected` records arrived or `deadline` passed.
inline std::vector<raw_record> read_topic(const std::string& bootstrap, const std::string& topic,
                                          int partitions, std::size_t expected,
                                          std::chrono::milliseconds deadline = 30s) {
  std::vector<raw_record> out;
  rd_kafka_t* rk = raw_consumer(bootstrap, "reader-" + topic);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (out.size() < expected && std::chrono::steady_clock::now() < end) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      raw_record r;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* h = nullptr;
      if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* v = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0;
             rd_kafka_header_get_all(h, i, &name, &v, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
          r.headers[name] = v != nullptr ? std::string(static_cast<const char*>(v), size) : "";
        }
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return out;
}

/// The envelope the tests publish: aggregate ID and a per-aggregate sequence number.
inline std::string envelope(const std::string& aggregate, std::uint64_t seq) {
  return R"({"aggregateId":")" + aggregate + R"(","seq":)" + std::to_string(seq) + "}";
}

/// The "seq" of an envelope (-1 when absent).
inline std::int64_t seq_of(std::string_view value) {
  const auto at = value.find("\"seq\":");
  if (at == std::string_view::npos) return -1;
  return std::stoll(std::string(value.substr(at + 6)));
}

/// (partition, offset) of a produced record.
using position = std::pair<std::int32_t, std::int64_t>;

/// Publishes `per_aggregate` sequenced envelopes for each of `aggregates` aggregates, keyed by
/// aggregate, interleaved; returns where each landed (waits for every delivery report).
inline std::vector<position> publish_sequenced(kafka::publisher& pub, const std::string& topic,
                                               int aggregates, int per_aggregate,
                                               const std::string& prefix = "agg-") {
  std::vector<std::future<expected<kafka::delivery_report>>> pending;
  for (int s = 0; s < per_aggregate; ++s) {
    for (int a = 0; a < aggregates; ++a) {
      const std::string agg = prefix + std::to_string(a);
      pending.push_back(pub.publish(topic, agg, envelope(agg, static_cast<std::uint64_t>(s))));
    }
  }
  std::vector<position> out;
  for (auto& f : pending) {
    auto r = f.get();
    EXPECT_TRUE(r) << r.error().message();
    if (r) out.emplace_back(r->partition, r->offset);
  }
  return out;
}

/// What handlers saw, thread-safe: per-aggregate sequence order, positions, concurrency.
class handled_log {
 public:
  /// Records `r` as handled; returns false (and counts) if its aggregate's sequence went
  /// backwards or skipped.
  void add(const kafka::record& r) {
    std::lock_guard lock(mu_);
    ++total_;
    if (!seen_.insert({r.partition(), r.offset()}).second) ++duplicates_;
    const std::int64_t seq = seq_of(r.value());
    auto& next = next_seq_[std::string(r.aggregate_id())];
    if (seq == next) {
      ++next;
    } else if (seq >= 0 && seq < next) {
      ++replays_;  // a redelivery of something already handled
    } else {
      ++violations_;
    }
    order_.emplace_back(std::string(r.aggregate_id()), seq);
  }
  void enter() {
    const int now = running_.fetch_add(1) + 1;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { running_.fetch_sub(1); }

  std::size_t total() const {
    std::lock_guard lock(mu_);
    return total_;
  }
  std::size_t distinct() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  std::size_t duplicates() const {
    std::lock_guard lock(mu_);
    return duplicates_;
  }
  std::size_t violations() const {
    std::lock_guard lock(mu_);
    return violations_;
  }
  bool has(position p) const {
    std::lock_guard lock(mu_);
    return seen_.count(p) != 0;
  }
  std::vector<std::pair<std::string, std::int64_t>> order() const {
    std::lock_guard lock(mu_);
    return order_;
  }
  int max_running() const { return max_running_.load(); }

 private:
  mutable std::mutex mu_;
  std::set<position> seen_;
  std::map<std::string, std::int64_t> next_seq_;
  std::vector<std::pair<std::string, std::int64_t>> order_;
  std::size_t total_ = 0;
  std::size_t duplicates_ = 0;
  std::size_t violations_ = 0;
  std::size_t replays_ = 0;
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
};

/// Runs a function later on the engine's timer thread and a tiny actor: an asynchronous
/// handler's simulated latency (a timer, never a sleeping thread).
struct run_later {
  std::function<void()> fn;
};

inline actor::pid spawn_runner(actor::engine& e) {
  return e.spawn_fn(
      [](actor::context& ctx) {
        if (auto* r = ctx.get_if<run_later>()) r->fn();
      },
      "test-runner");
}

/// Per test: a one-broker mock cluster, an engine, and unique names.
class kafka_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = kafka::mock_cluster::create(1);
    ASSERT_TRUE(c) << c.error().message();
    cluster_ = std::move(*c);
    auto e = actor::engine::create(actor::engine_config{}.with_workers(2));
    ASSERT_TRUE(e);
    engine_ = std::move(*e);
    auto p = kafka::publisher::create(cluster_->bootstrap_servers());
    ASSERT_TRUE(p);
    publisher_ = std::move(*p);
  }
  void TearDown() override {
    publisher_.reset();
    if (engine_) engine_->shutdown();
  }

  /// A name unique to this test (topics and groups never collide between tests).
  std::string unique(const std::string& what) const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return what + "-" + info->name();
  }

  /// A configuration against the cluster with test-friendly timings.
  kafka::bus_config config_for(const std::string& topic, const std::string& group) const {
    kafka::bus_config cfg;
    cfg.kafka.brokers = {cluster_->bootstrap_servers()};
    // The mock completes a rebalance after session.timeout.ms - 1 s (kafka-broker.md).
    cfg.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    cfg.kafka.consumer.group_id = group;
    cfg.kafka.consumer.topics = {topic};
    cfg.kafka.consumer.commit_interval = 200ms;
    cfg.retry.initial_backoff = 5ms;
    cfg.retry.max_backoff = 50ms;
    return cfg;
  }

  /// Waits until the group's committed offsets reach the topic's high watermarks.
  bool wait_fully_committed(const std::string& topic, const std::string& group, int partitions) {
    const auto end = high_watermarks(cluster_->bootstrap_servers(), topic, partitions);
    return wait_until(
        [&] {
          return committed_offsets(cluster_->bootstrap_servers(), group, topic, partitions) == end;
        },
        60s);
  }

  std::unique_ptr<kafka::mock_cluster> cluster_;
  std::unique_ptr<actor::engine> engine_;
  std::unique_ptr<kafka::publisher> publisher_;
};

}  // namespace hollywood::test
