// SPDX-License-Identifier: MIT
#pragma once

// The consumer thread: owns the librdkafka consumer and everything per partition. It takes
// records from Kafka, finds their aggregate, hands them to the pool (up to the partition's
// window; the rest wait in the partition's backlog), learns from the pool's notes which records
// finished, stores each partition's contiguous done prefix for librdkafka's commits, pauses
// fetching when too much is held, and runs the rebalance protocol: revoked partitions get a
// deadline for their in-flight work, then their done prefix is stored and librdkafka commits it
// as it lets them go.
//
// Everything below is confined to that thread except `post`, `request_stop` and the gauges.

#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/thread_annotations.hpp>

#include "bus_metrics.hpp"
#include "flight.hpp"
#include "keyed_pool.hpp"
#include "offset_tracker.hpp"
#include "rdkafka.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

/// One assigned partition (consumer thread only).
struct partition_state {
  std::string topic;
  std::int32_t partition = 0;
  offset_tracker tracker;
  /// Accepted, waiting for room in the partition's window.
  std::deque<std::shared_ptr<record_state>> backlog;
  /// Seen by handlers through `record::cancelled`.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  std::size_t in_pool = 0;
  std::int64_t last_dispatched = -1;
  /// The committed offset as far as this consumer knows (the first accepted offset until the
  /// broker confirms a commit).
  std::int64_t committed = -1;
  /// The last offset handed to `rd_kafka_offsets_store`.
  std::int64_t stored = -1;
  std::size_t stalled = 0;  // records failing (retrying or dead-lettering)
  std::size_t blocked = 0;  // records whose dead-letter produce fails
  bool failed = false;      // a malformed record under `fail`
  bool paused = false;
  bool revoked = false;
  bus_metrics::partition_gauges gauges;

  /// Accepted and not committed.
  [[nodiscard]] std::size_t held() const noexcept {
    const auto last = tracker.last();
    if (!last || committed < 0 || *last < committed) return 0;
    return static_cast<std::size_t>(*last + 1 - committed);
  }
};

/// Writes a "kafka bus: "-prefixed line to the library's log if `level` is enabled.
void bus_log(actor::log_level level, const std::string& text);

class consumer_loop final : public note_sink {
 public:
  consumer_loop(actor::engine& engine, const bus_config& config, std::string bootstrap,
                bool embedded, bus_metrics& metrics);
  consumer_loop(const consumer_loop&) = delete;
  consumer_loop& operator=(const consumer_loop&) = delete;
  ~consumer_loop() override;

  /// Creates the consumer, subscribes and starts the thread. `pool` must outlive the thread.
  expected<void> start(keyed_pool& pool, std::string& problem);

  /// Asks for a graceful stop (any thread).
  void request_stop();
  /// Waits for the thread to end (after `request_stop`, or after it stopped by itself).
  void join();
  /// Waits up to `timeout` for the thread to have ended its work.
  bool wait_stopped(std::chrono::milliseconds timeout) const;
  [[nodiscard]] std::error_code failure() const;

  /// From pool actors. @threadsafe
  void post(std::vector<pool_note>& notes) override;

  // Gauges for `bus::stats` (relaxed reads of values the consumer thread publishes).
  [[nodiscard]] std::size_t in_flight() const noexcept {
    return in_flight_gauge_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t held() const noexcept {
    return held_gauge_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t assigned() const noexcept {
    return assigned_gauge_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t paused() const noexcept {
    return paused_gauge_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t lag() const noexcept {
    return lag_gauge_.load(std::memory_order_relaxed);
  }
  /// Whether the group gave this consumer its first assignment (possibly of no partition).
  [[nodiscard]] bool joined() const noexcept { return joined_.load(std::memory_order_relaxed); }

 private:
  /// How long a poll waits when nothing happens (a note wakes it earlier).
  static constexpr std::chrono::milliseconds idle_poll_{100};
  /// How long a stop waits for the group's first assignment before closing (librdkafka 2.0.2
  /// can abort when a cooperative consumer closes before it: kafka-broker.md, #4312).
  static constexpr std::chrono::seconds first_assignment_wait_{10};

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque);
  static void on_commit(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void on_explicit_commit(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* offsets, void* opaque);

  void run();
  void poll(std::chrono::milliseconds timeout);
  void accept(rd_kafka_message_t* m);
  void report_error(const rd_kafka_message_t* m);
  void dispatch(partition_state& p, std::shared_ptr<record_state> rec);
  void feed(partition_state& p);
  void apply_notes();
  bool wait_notes_until(bus_clock::time_point deadline);
  void store_offsets(const std::vector<partition_state*>& parts);
  void update_pauses();
  void maybe_commit();
  void hold_at_bound();
  void maintain(bool force);
  void assign(rd_kafka_topic_partition_list_t* parts);
  void revoke(rd_kafka_topic_partition_list_t* parts, bool lost);
  void committed(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets);
  void begin_stop();
  void finish_stop();
  void fail(std::error_code code, std::string what);
  const std::shared_ptr<partition_state>* find(std::string_view topic, std::int32_t partition);
  template <class F>
  void for_each_partition(F&& f) {
    for (auto& [topic, list] : parts_) {
      for (auto& p : list) {
        if (p) f(*p);
      }
    }
  }

  actor::engine& engine_;
  const bus_config& config_;
  const std::string bootstrap_;
  const bool embedded_;
  bus_metrics& metrics_;
  keyed_pool* pool_ = nullptr;

  kafka_handle rk_;
  queue_handle queue_;         // the consumer queue, for waking a poll
  queue_handle commit_queue_;  // results of the bus's own commits
  std::thread thread_;

  // -- consumer thread ---------------------------------------------------------------------------
  std::map<std::string, std::vector<std::shared_ptr<partition_state>>, std::less<>> parts_;
  std::vector<pool_note> scratch_;
  std::vector<partition_state*> dirty_;
  std::size_t in_flight_ = 0;
  std::size_t held_estimate_ = 0;  // exact after update_pauses, +1 per record accepted since
  bool backpressure_ = false;      // at the in-flight bound (until 3/4 of it)
  bool pressure_paused_ = false;   // ... and there long enough to pause the partitions
  bus_clock::time_point pressure_since_{};
  bool assigned_once_ = false;
  bool stopping_ = false;
  bool commit_outstanding_ = false;
  bool commits_suspended_ = false;
  bus_clock::time_point stop_deadline_{};
  bus_clock::time_point next_maintenance_{};
  bus_clock::time_point next_lag_{};
  bus_clock::time_point next_passivation_{};
  std::string last_error_text_;

  // -- shared
  // --------------------------------------------------------------------------------------
  mutable std::mutex notes_mu_;
  mutable std::condition_variable notes_cv_;
  std::vector<pool_note> notes_ HOLLYWOOD_GUARDED_BY(notes_mu_);
  bool waking_ HOLLYWOOD_GUARDED_BY(notes_mu_) = false;    // the queue may be yielded
  bool finished_ HOLLYWOOD_GUARDED_BY(notes_mu_) = false;  // the thread's work is over
  std::error_code failure_ HOLLYWOOD_GUARDED_BY(notes_mu_);
  // release (request_stop) / acquire (consumer thread).
  std::atomic<bool> stop_requested_{false};
  // relaxed: gauges only.
  std::atomic<std::size_t> in_flight_gauge_{0};
  std::atomic<std::size_t> held_gauge_{0};
  std::atomic<std::size_t> assigned_gauge_{0};
  std::atomic<std::size_t> paused_gauge_{0};
  std::atomic<std::uint64_t> lag_gauge_{0};
  std::atomic<bool> joined_{false};  // relaxed: a readiness flag, publishes nothing else
};

}  // namespace hollywood::eventbus::kafka::detail
