// SPDX-License-Identifier: MIT
#include "pool_slot.hpp"

#include <utility>

namespace hollywood::eventbus::kafka::detail {

void pool_slot::push_record(std::shared_ptr<record_state> rec) {
  // relaxed: only the consumer thread increments, and it is also the one that reads for idleness.
  pending_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    incoming_.push_back(std::move(rec));
  }
  wake();
}

void pool_slot::push_result(attempt_result r) {
  {
    std::lock_guard lock(mu_);
    results_.push_back(std::move(r));
  }
  wake();
}

void pool_slot::set_server(const actor::pid& p) {
  std::lock_guard lock(mu_);
  server_ = p;
}

actor::pid pool_slot::server() const {
  std::lock_guard lock(mu_);
  return server_;
}

void pool_slot::take(std::vector<std::shared_ptr<record_state>>& records,
                     std::vector<attempt_result>& results) {
  wake_pending_.exchange(false, std::memory_order_acq_rel);
  std::lock_guard lock(mu_);
  records.swap(incoming_);
  results.swap(results_);
}

void pool_slot::wake() {
  if (retired()) return;  // its actor is stopping or gone, and nobody replaces it
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  // No server yet (or one being replaced): the next actor to start takes everything anyway.
  if (actor::pid to = server()) engine_.send(to, slot_wakeup{});
}

}  // namespace hollywood::eventbus::kafka::detail
