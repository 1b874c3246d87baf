// SPDX-License-Identifier: MIT
#include "consumer_loop.hpp"

#include <hollywood/actor/log.hpp>
#include <hollywood/error.hpp>
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/eventbus/kafka/events.hpp>

#include "aggregate_id.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace hollywood::eventbus::kafka::detail {

namespace {

using namespace std::chrono_literals;

/// Records taken from librdkafka per poll before the notes are looked at again.
constexpr int poll_batch = 512;
/// Period of the gauges and the explicit commit check.
constexpr auto maintenance_period = 50ms;
/// Period of the lag gauges (the watermarks are cached locally; no broker round trip).
constexpr auto lag_period = 250ms;
/// How long the loop may sit at the in-flight bound without taking records before it pauses the
/// partitions (so that callbacks are served again).
constexpr auto pressure_grace = 100ms;
/// How long one wait for the pool lasts while at the bound.
constexpr auto pressure_wait = 5ms;

std::string where(std::string_view topic, std::int32_t partition) {
  return std::string(topic) + "[" + std::to_string(partition) + "]";
}

}  // namespace

void bus_log(actor::log_level level, const std::string& text) {
  if (actor::log_enabled(level)) actor::write_log(level, "kafka bus: " + text);
}

consumer_loop::consumer_loop(actor::engine& engine, const bus_config& config, std::string bootstrap,
                             bool embedded, bus_metrics& metrics)
    : engine_(engine),
      config_(config),
      bootstrap_(std::move(bootstrap)),
      embedded_(embedded),
      metrics_(metrics) {}

consumer_loop::~consumer_loop() {
  request_stop();
  join();
}

expected<void> consumer_loop::start(keyed_pool& pool, std::string& problem) {
  pool_ = &pool;
  const auto& c = config_.kafka.consumer;
  properties props{
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", c.start == start_offset::earliest ? "earliest" : "latest"},
      {"auto.commit.interval.ms", std::to_string(c.commit_interval.count())},
      {"enable.partition.eof", "false"},
      // Bounds librdkafka's own prefetch; the bus bounds what it holds itself. (Lowering
      // queued.min.messages instead throttles: a partition whose local queue is "full" backs off
      // its fetches for fetch.error.backoff.ms.)
      {"queued.max.messages.kbytes", "4096"},
      // A resumed partition's next fetch waits for the fetch in flight; librdkafka's 500 ms
      // default long poll would make every resume after back-pressure cost half a second.
      {"fetch.wait.max.ms", "100"},
  };
  if (embedded_) {
    // The mock completes a rebalance only after session.timeout.ms - 1 s (kafka-broker.md).
    props["session.timeout.ms"] = "6000";
    props["heartbeat.interval.ms"] = "500";
  }
  for (const auto& [k, v] : config_.kafka.properties)
    props[k] = v;
  // What the commit rule rests on: offsets are stored by the bus only (the contiguous done
  // prefix) and committed by librdkafka, periodically and when partitions are let go.
  props["bootstrap.servers"] = bootstrap_;
  props["group.id"] = c.group_id;
  props["enable.auto.commit"] = "true";
  props["enable.auto.offset.store"] = "false";
  auto conf = make_conf(props, problem);
  if (!conf) return unexpected(conf.error());
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &consumer_loop::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &consumer_loop::on_commit);
  auto rk = make_client(RD_KAFKA_CONSUMER, std::move(*conf), problem);
  if (!rk) return unexpected(rk.error());
  rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(rk_.get());
  queue_.reset(rd_kafka_queue_get_consumer(rk_.get()));
  commit_queue_.reset(rd_kafka_queue_new(rk_.get()));
  partition_list topics(rd_kafka_topic_partition_list_new(static_cast<int>(c.topics.size())));
  for (const auto& t : c.topics)
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(rk_.get(), topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    problem = std::string("cannot subscribe: ") + rd_kafka_err2str(err);
    return unexpected(make_kafka_error(err));
  }
  {
    std::lock_guard lock(notes_mu_);
    waking_ = true;
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

void consumer_loop::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  std::lock_guard lock(notes_mu_);
  notes_cv_.notify_all();
  if (waking_) rd_kafka_queue_yield(queue_.get());
}

void consumer_loop::join() {
  if (thread_.joinable()) thread_.join();
}

bool consumer_loop::wait_stopped(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(notes_mu_);
  return notes_cv_.wait_for(lock, timeout, [this] { return finished_; });
}

std::error_code consumer_loop::failure() const {
  std::lock_guard lock(notes_mu_);
  return failure_;
}

void consumer_loop::post(std::vector<pool_note>& notes) {
  std::lock_guard lock(notes_mu_);
  const bool was_empty = notes_.empty();
  if (notes_.empty()) {
    notes_.swap(notes);
  } else {
    for (auto& n : notes)
      notes_.push_back(std::move(n));
    notes.clear();
  }
  if (!was_empty) return;  // the consumer thread was already told
  notes_cv_.notify_all();
  if (waking_) rd_kafka_queue_yield(queue_.get());
}

// -- the thread ------------------------------------------------------------------------

void consumer_loop::run() {
  for (;;) {
    if (!stopping_ && stop_requested_.load(std::memory_order_acquire)) begin_stop();
    if (stopping_) {
      bool drained = true;
      for_each_partition([&](partition_state& p) { drained = drained && p.in_pool == 0; });
      if (drained || bus_clock::now() >= stop_deadline_) break;
    }
    if (backpressure_ && !pressure_paused_ && !stopping_) {
      hold_at_bound();
      continue;
    }
    poll(idle_poll_);
    apply_notes();
    maintain(false);
  }
  finish_stop();
}

void consumer_loop::hold_at_bound() {
  // At the bound the loop takes no more records but keeps librdkafka's prefetch: a pause would
  // make librdkafka drop it and fetch it again after the resume (a fetch cycle or more of dead
  // time, on every turn of a pipeline that runs at its bound). What is held shrinks with commits,
  // so commit now and wait a moment for the answer (on a queue of its own, so no record is taken
  // meanwhile); only if the pool stays at the bound does the loop pause the partitions, so that
  // callbacks (rebalances) are served again while nothing more is taken.
  const auto now = bus_clock::now();
  if (pressure_since_ == bus_clock::time_point{}) pressure_since_ = now;
  maybe_commit();
  if (commit_outstanding_) {
    rd_kafka_queue_poll_callback(commit_queue_.get(), static_cast<int>(pressure_wait.count()));
  } else {
    wait_notes_until(now + pressure_wait);
  }
  apply_notes();
  if (!backpressure_) return;
  if (bus_clock::now() - pressure_since_ >= pressure_grace) {
    pressure_paused_ = true;
    update_pauses();
  }
}

void consumer_loop::poll(std::chrono::milliseconds timeout) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), static_cast<int>(timeout.count()));
  for (int n = 0; m != nullptr; ++n) {
    message_handle owned(m);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      report_error(m);
    } else {
      accept(m);
    }
    // At the bound, take nothing more (run() decides how to wait): the bound holds record by
    // record.
    if (held_estimate_ >= config_.pool.max_in_flight) {
      update_pauses();
      if (backpressure_) break;
    }
    if (n + 1 >= poll_batch) break;
    m = rd_kafka_consumer_poll(rk_.get(), 0);
  }
}

void consumer_loop::report_error(const rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
  std::string text = rd_kafka_message_errstr(m);
  if (text == last_error_text_) return;  // an outage repeats itself; say it once
  last_error_text_ = text;
  bus_log(actor::log_level::warn, "consumer: " + text);
  char fatal[256];
  if (rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fail(make_kafka_error(m->err), std::string("fatal consumer error: ") + fatal);
  }
}

const std::shared_ptr<partition_state>* consumer_loop::find(std::string_view topic,
                                                            std::int32_t partition) {
  auto it = parts_.find(topic);
  if (it == parts_.end() || partition < 0 ||
      static_cast<std::size_t>(partition) >= it->second.size() ||
      !it->second[static_cast<std::size_t>(partition)]) {
    return nullptr;
  }
  return &it->second[static_cast<std::size_t>(partition)];
}

void consumer_loop::accept(rd_kafka_message_t* m) {
  const char* topic = rd_kafka_topic_name(m->rkt);
  const auto* shared = find(topic, m->partition);
  if (shared == nullptr || (*shared)->revoked) return;  // fetched before a revocation
  partition_state* p = shared->get();
  if (!p->tracker.add(m->offset)) return;  // a redelivery within this assignment
  ++held_estimate_;
  metrics_.received.increment();
  if (p->committed < 0) {
    p->committed = m->offset;
    p->gauges.committed.set(static_cast<double>(m->offset));
  }

  record_fields f;
  f.topic = topic;
  f.partition = m->partition;
  f.offset = m->offset;
  if (m->key != nullptr) {
    f.key.assign(static_cast<const char*>(m->key), m->key_len);
    f.has_key = true;
  }
  if (m->payload != nullptr) f.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      f.headers.push_back(
          {name, value != nullptr ? std::string(static_cast<const char*>(value), size) : ""});
    }
  }
  auto found =
      find_aggregate_id(config_.aggregate_id, f.value, f.headers, f.has_key ? &f.key : nullptr);
  if (found.malformed.empty()) {
    f.aggregate_id = std::move(found.id);
    f.source = found.source;
    if (f.source == aggregate_source::none) metrics_.without_aggregate.increment();
    // Kafka orders by key: an aggregate split over several keys can be split over consumers.
    if (f.source != aggregate_source::none && f.source != aggregate_source::key &&
        (!f.has_key || f.key != f.aggregate_id)) {
      metrics_.key_mismatch.increment();
    }
  }
  auto rec = std::make_shared<record_state>(std::move(f), p->cancelled, *shared, bus_clock::now());
  if (!found.malformed.empty()) {
    metrics_.malformed.increment();
    const std::string what = where(topic, m->partition) + "@" + std::to_string(m->offset) +
                             ": malformed record: " + found.malformed;
    switch (config_.on_malformed) {
      case malformed_policy::skip:
        metrics_.skipped.increment();
        bus_log(actor::log_level::warn, what + " (skipped)");
        engine_.broadcast_event(
            record_skipped_event{topic, m->partition, m->offset, found.malformed});
        if (p->tracker.mark_done(m->offset)) dirty_.push_back(p);
        return;
      case malformed_policy::fail:
        // Kept in the tracker as not done: nothing is committed past it.
        p->failed = true;
        fail(bus_errc::malformed_record, what);
        return;
      case malformed_policy::dlq:
        rec->dead_letter_now = "malformed record: " + found.malformed;
        break;
    }
  }
  p->backlog.push_back(std::move(rec));
  feed(*p);
}

void consumer_loop::dispatch(partition_state& p, std::shared_ptr<record_state> rec) {
  ++p.in_pool;
  ++in_flight_;
  p.last_dispatched = rec->rec.offset();
  pool_->dispatch(std::move(rec));
}

void consumer_loop::feed(partition_state& p) {
  const std::size_t window = config_.pool.max_in_flight_per_partition;
  while (!p.backlog.empty() && !p.failed && !stopping_ && (window == 0 || p.in_pool < window)) {
    auto rec = std::move(p.backlog.front());
    p.backlog.pop_front();
    dispatch(p, std::move(rec));
  }
}

void consumer_loop::apply_notes() {
  {
    std::lock_guard lock(notes_mu_);
    scratch_.swap(notes_);
  }
  for (auto& n : scratch_) {
    auto& p = *n.rec->partition;
    switch (n.what) {
      case pool_note::kind::finished:
        --in_flight_;
        if (p.revoked) {
          if (n.how != finish_kind::discarded) metrics_.late_results.increment();
          break;
        }
        --p.in_pool;
        if (n.was_failing) --p.stalled;
        if (n.was_blocking) --p.blocked;
        if (p.tracker.mark_done(n.rec->rec.offset())) dirty_.push_back(&p);
        break;
      case pool_note::kind::stalled:
        if (!p.revoked) ++p.stalled;
        break;
      case pool_note::kind::blocked:
        if (!p.revoked) ++p.blocked;
        break;
    }
  }
  scratch_.clear();
  for_each_partition([&](partition_state& p) { feed(p); });
  store_offsets(dirty_);
  dirty_.clear();
  update_pauses();
  rd_kafka_queue_poll_callback(commit_queue_.get(), 0);
  maybe_commit();
}

bool consumer_loop::wait_notes_until(bus_clock::time_point deadline) {
  std::unique_lock lock(notes_mu_);
  return notes_cv_.wait_until(lock, deadline, [this] { return !notes_.empty(); });
}

void consumer_loop::store_offsets(const std::vector<partition_state*>& parts) {
  partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (auto* p : parts) {
    const auto next = p->tracker.committable();
    if (!next || *next <= p->stored || p->revoked) continue;
    p->stored = *next;
    rd_kafka_topic_partition_list_add(list.get(), p->topic.c_str(), p->partition)->offset = *next;
  }
  if (list->cnt == 0) return;
  // An error here means the partition is no longer assigned; its revocation handles the rest.
  (void)rd_kafka_offsets_store(rk_.get(), list.get());
}

void consumer_loop::update_pauses() {
  std::size_t held = in_flight_;  // pooled records of revoked partitions still take memory
  for_each_partition([&](partition_state& p) {
    held += p.held();
    held -= std::min(held, p.in_pool);
  });
  const std::size_t bound = config_.pool.max_in_flight;
  if (held >= bound) {
    backpressure_ = true;
  } else if (backpressure_ && held < bound - bound / 4) {
    backpressure_ = false;
    pressure_paused_ = false;
    pressure_since_ = {};
  }
  held_estimate_ = held;
  held_gauge_.store(held, std::memory_order_relaxed);
  partition_list pause(rd_kafka_topic_partition_list_new(0));
  partition_list resume(rd_kafka_topic_partition_list_new(0));
  std::size_t paused = 0;
  for_each_partition([&](partition_state& p) {
    const bool want = stopping_ || pressure_paused_ || p.failed || p.blocked > 0;
    if (want != p.paused) {
      rd_kafka_topic_partition_list_add(want ? pause.get() : resume.get(), p.topic.c_str(),
                                        p.partition);
      p.paused = want;
    }
    paused += p.paused ? 1 : 0;
  });
  if (pause->cnt > 0) (void)rd_kafka_pause_partitions(rk_.get(), pause.get());
  if (resume->cnt > 0) (void)rd_kafka_resume_partitions(rk_.get(), resume.get());
  paused_gauge_.store(paused, std::memory_order_relaxed);
}

void consumer_loop::maybe_commit() {
  // Commit as soon as a quarter of the bound is done and uncommitted (librdkafka's timer commits
  // too): what is held shrinks only with commits. At the bound an eighth is enough, or anything
  // when the pool is idle. Not while a refused commit says a rebalance is under way (librdkafka
  // 2.0.2 can lose the assignment then: #4059). The result arrives on a queue of its own, served
  // here, never blocking the loop (a commit waits for the coordinator during an outage).
  if (commit_outstanding_ || commits_suspended_ || stopping_) return;
  std::size_t uncommitted = 0;
  for_each_partition([&](partition_state& p) {
    if (p.stored > p.committed && p.committed >= 0) {
      uncommitted += static_cast<std::size_t>(p.stored - p.committed);
    }
  });
  const std::size_t bound = config_.pool.max_in_flight;
  std::size_t threshold = std::max<std::size_t>(1, bound / 4);
  if (backpressure_) threshold = in_flight_ == 0 ? 1 : std::max<std::size_t>(1, bound / 8);
  if (uncommitted < threshold) return;
  if (rd_kafka_commit_queue(rk_.get(), nullptr, commit_queue_.get(),
                            &consumer_loop::on_explicit_commit,
                            this) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    commit_outstanding_ = true;
  }
}

void consumer_loop::maintain(bool force) {
  const auto now = bus_clock::now();
  if (!force && now < next_maintenance_) return;
  next_maintenance_ = now + maintenance_period;

  std::size_t stalled = 0;
  for_each_partition([&](partition_state& p) { stalled += p.stalled > 0 ? 1 : 0; });
  const std::size_t bound = config_.pool.max_in_flight;

  in_flight_gauge_.store(in_flight_, std::memory_order_relaxed);
  metrics_.pool_inbox_depth.set(static_cast<double>(in_flight_));
  const auto held = held_gauge_.load(std::memory_order_relaxed);
  metrics_.held.set(static_cast<double>(held));
  metrics_.pool_inbox_utilization.set(static_cast<double>(held) / static_cast<double>(bound));
  metrics_.paused_partitions.set(
      static_cast<double>(paused_gauge_.load(std::memory_order_relaxed)));
  metrics_.stalled_partitions.set(static_cast<double>(stalled));

  if (force || now >= next_lag_) {
    next_lag_ = now + lag_period;
    std::uint64_t total = 0;
    for_each_partition([&](partition_state& p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_get_watermark_offsets(rk_.get(), p.topic.c_str(), p.partition, &low, &high) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        return;
      }
      const std::int64_t from = p.committed >= 0 ? p.committed : low;
      const auto lag = std::max<std::int64_t>(0, high - from);
      p.gauges.lag.set(static_cast<double>(lag));
      total += static_cast<std::uint64_t>(lag);
    });
    lag_gauge_.store(total, std::memory_order_relaxed);
  }
  if (config_.pool.routing == pool_routing::per_aggregate && now >= next_passivation_) {
    next_passivation_ = now + std::max<std::chrono::milliseconds>(config_.pool.idle_ttl / 4, 100ms);
    pool_->passivate_idle(now);
  }
}

}  // namespace hollywood::eventbus::kafka::detail
