// SPDX-License-Identifier: MIT
#include "timer_service.hpp"

#include <algorithm>

namespace hollywood::actor::detail {

namespace {
constexpr std::size_t min_purge_interval = 1024;
}

timer_service::timer_service() : thread_([this] { run(); }) {}

timer_service::~timer_service() {
  stop();
}

bool timer_service::schedule(std::shared_ptr<timer_entry> entry, timer_clock::time_point due) {
  bool earliest = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (++pushes_since_purge_ >= std::max(min_purge_interval, heap_.size())) purge_stopped();
    earliest = heap_.empty() || due < heap_.front().due;
    heap_.push_back(item{due, seq_++, std::move(entry)});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }
  if (earliest) cv_.notify_one();  // only a new earliest deadline changes the thread's wait
  return true;
}

void timer_service::purge_stopped() {
  // O(n) every n pushes: amortised O(1) per timer.
  pushes_since_purge_ = 0;
  std::erase_if(heap_, [](const item& i) { return i.entry->stopped(); });
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

void timer_service::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::vector<item> rest;
  {
    std::lock_guard lock(mu_);
    rest.swap(heap_);
  }
  // Entries hold PIDs and messages: release them outside the lock.
}

void timer_service::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (heap_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto due = heap_.front().due;
    if (timer_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    item next = std::move(heap_.back());
    heap_.pop_back();
    if (next.entry->stopped()) continue;
    lock.unlock();
    next.entry->fire();  // actions send messages; never under our lock
    lock.lock();
    if (next.entry->repeating() && !next.entry->stopped() && !stopping_) {
      // Re-arm from the previous due time so a repeating timer does not drift, but never try to
      // catch up on periods missed while the thread was late.
      auto again = next.due + next.entry->interval();
      if (const auto now = timer_clock::now(); again < now) again = now + next.entry->interval();
      heap_.push_back(item{again, seq_++, std::move(next.entry)});
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
    }
  }
}

}  // namespace hollywood::actor::detail
