// SPDX-License-Identifier: MIT
// The consumer thread's part in the group: assignments, revocations with their deadline, commit
// results, and the graceful stop that leaves the group.
#include <hollywood/actor/log.hpp>
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/eventbus/kafka/events.hpp>

#include "consumer_loop.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace hollywood::eventbus::kafka::detail {

using namespace std::chrono_literals;

// -- the group -------------------------------------------------------------------------

void consumer_loop::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<consumer_loop*>(opaque);
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  // A revocation is followed by another join (cooperative protocol); a commit sent then may
  // carry a stale generation, which librdkafka 2.0.2 answers by dropping the whole assignment
  // (#4059). Only librdkafka's own commits run until the rebalance ends with an assignment.
  self->commits_suspended_ = err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->assign(parts);
    if (cooperative) {
      error_handle refused(rd_kafka_incremental_assign(rk, parts));
      if (refused) {
        bus_log(actor::log_level::error,
                std::string("incremental assign refused: ") + rd_kafka_error_string(refused.get()));
      }
    } else {
      (void)rd_kafka_assign(rk, parts);
    }
    self->assigned_once_ = true;
    self->joined_.store(true, std::memory_order_relaxed);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    self->revoke(parts, rd_kafka_assignment_lost(rk) != 0);
    if (cooperative) {
      error_handle refused(rd_kafka_incremental_unassign(rk, parts));
      if (refused) {
        bus_log(actor::log_level::error, std::string("incremental unassign refused: ") +
                                             rd_kafka_error_string(refused.get()));
      }
    } else {
      (void)rd_kafka_assign(rk, nullptr);
    }
    return;
  }
  bus_log(actor::log_level::error, std::string("rebalance failed: ") + rd_kafka_err2str(err));
  self->revoke(parts, true);
  (void)rd_kafka_assign(rk, nullptr);
}

void consumer_loop::assign(rd_kafka_topic_partition_list_t* parts) {
  for (int i = 0; i < parts->cnt; ++i) {
    const auto& tp = parts->elems[i];
    auto& list = parts_[tp.topic];
    if (list.size() <= static_cast<std::size_t>(tp.partition)) {
      list.resize(static_cast<std::size_t>(tp.partition) + 1);
    }
    auto p = std::make_shared<partition_state>();
    p->topic = tp.topic;
    p->partition = tp.partition;
    p->gauges = metrics_.add_partition(p->topic, p->partition);
    // librdkafka keeps a partition's pause across assignments; marking it paused makes the next
    // update resume it unless this consumer wants it paused.
    p->paused = true;
    list[static_cast<std::size_t>(tp.partition)] = std::move(p);
    engine_.broadcast_event(partitions_assigned_event{tp.topic, tp.partition});
  }
  std::size_t n = 0;
  for_each_partition([&](partition_state&) { ++n; });
  assigned_gauge_.store(n, std::memory_order_relaxed);
  metrics_.assigned_partitions.set(static_cast<double>(n));
}

void consumer_loop::revoke(rd_kafka_topic_partition_list_t* parts, bool lost) {
  std::vector<std::shared_ptr<partition_state>> victims;
  for (int i = 0; i < parts->cnt; ++i) {
    auto it = parts_.find(std::string_view(parts->elems[i].topic));
    const auto idx = static_cast<std::size_t>(parts->elems[i].partition);
    if (it == parts_.end() || idx >= it->second.size() || !it->second[idx]) continue;
    victims.push_back(it->second[idx]);
    // Never handed to the pool: the next owner gets them; they were not handled here.
    it->second[idx]->backlog.clear();
  }
  // In-flight work of the victims gets until the deadline; everything else keeps running.
  auto deadline = bus_clock::now();
  if (stopping_) {
    deadline = stop_deadline_;  // a stop's own deadline, not a second one
  } else if (!lost) {
    deadline += config_.kafka.consumer.revoke_timeout;
  }
  auto busy = [&] {
    return std::any_of(victims.begin(), victims.end(), [](auto& p) { return p->in_pool > 0; });
  };
  while (busy() && bus_clock::now() < deadline) {
    wait_notes_until(deadline);
    apply_notes();
  }
  if (!lost) {
    std::vector<partition_state*> raw;
    for (auto& p : victims)
      raw.push_back(p.get());
    store_offsets(raw);  // librdkafka commits these as it lets the partitions go
  }
  for (auto& p : victims) {
    std::uint64_t may_duplicate = 0;
    if (p->last_dispatched >= 0 && p->committed >= 0 && p->last_dispatched >= p->committed) {
      may_duplicate = static_cast<std::uint64_t>(p->last_dispatched + 1 - p->committed);
    }
    metrics_.rebalance_duplicates.increment(static_cast<double>(may_duplicate));
    // relaxed: advisory for handlers; the results are filtered here by `revoked`.
    p->cancelled->store(true, std::memory_order_relaxed);
    p->revoked = true;
    metrics_.remove_partition(p->gauges);
    engine_.broadcast_event(partitions_revoked_event{p->topic, p->partition, may_duplicate});
    auto& list = parts_[p->topic];
    list[static_cast<std::size_t>(p->partition)].reset();
  }
  std::size_t n = 0;
  for_each_partition([&](partition_state&) { ++n; });
  assigned_gauge_.store(n, std::memory_order_relaxed);
  metrics_.assigned_partitions.set(static_cast<double>(n));
  update_pauses();
}

void consumer_loop::on_commit(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  static_cast<consumer_loop*>(opaque)->committed(err, offsets);
}

void consumer_loop::on_explicit_commit(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                       rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto* self = static_cast<consumer_loop*>(opaque);
  self->commit_outstanding_ = false;
  self->committed(err, offsets);
}

void consumer_loop::committed(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets) {
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing new to commit
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    metrics_.commit_failures.increment();
    if (err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
        err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) {
      commits_suspended_ = true;  // until the rebalance calls back
    }
    bus_log(actor::log_level::info, std::string("commit failed: ") + rd_kafka_err2str(err));
    engine_.broadcast_event(bus_error_event{std::string("commit failed: ") + rd_kafka_err2str(err),
                                            make_kafka_error(err)});
    return;
  }
  metrics_.commits.increment();
  commits_suspended_ = false;  // the group takes commits again
  if (offsets == nullptr) return;
  for (int i = 0; i < offsets->cnt; ++i) {
    const auto& tp = offsets->elems[i];
    const auto* found = find(tp.topic, tp.partition);
    if (found == nullptr || tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) continue;
    partition_state* p = found->get();
    if (tp.offset > p->committed) {
      p->committed = tp.offset;
      p->gauges.committed.set(static_cast<double>(tp.offset));
    }
  }
}

// -- stopping --------------------------------------------------------------------------

void consumer_loop::fail(std::error_code code, std::string what) {
  bus_log(actor::log_level::error, what);
  engine_.broadcast_event(bus_error_event{what, code});
  {
    std::lock_guard lock(notes_mu_);
    if (!failure_) failure_ = code;
  }
  stop_requested_.store(true, std::memory_order_release);
}

void consumer_loop::begin_stop() {
  stopping_ = true;
  stop_deadline_ = bus_clock::now() + config_.kafka.consumer.shutdown_timeout;
  for_each_partition([](partition_state& p) { p.backlog.clear(); });
  update_pauses();
}

void consumer_loop::finish_stop() {
  apply_notes();
  for_each_partition(
      [](partition_state& p) { p.cancelled->store(true, std::memory_order_relaxed); });
  if (!assigned_once_) {
    const auto until = bus_clock::now() + first_assignment_wait_;
    while (!assigned_once_ && bus_clock::now() < until)
      poll(idle_poll_);
  }
  // Revokes what is assigned (our callback stores the done prefixes, librdkafka commits them),
  // then leaves the group.
  (void)rd_kafka_consumer_close(rk_.get());
  maintain(true);
  {
    std::lock_guard lock(notes_mu_);
    waking_ = false;
  }
  rd_kafka_queue_poll_callback(commit_queue_.get(), 0);
  commit_queue_.reset();
  queue_.reset();
  rk_.reset();
  {
    std::lock_guard lock(notes_mu_);
    finished_ = true;
  }
  notes_cv_.notify_all();
}

}  // namespace hollywood::eventbus::kafka::detail
