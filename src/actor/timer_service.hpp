// SPDX-License-Identifier: MIT
#pragma once

// One thread that fires timers in deadline order: `send_after`/`send_repeat`, restart delays and
// request timeouts. Cancellation only flags an entry (`timer::stop()` is one atomic store); the
// heap drops flagged entries when they come due, and purges them all whenever it has grown by its
// own size since the last purge, so memory stays proportional to the live timers even when most
// timers (request timeouts) are cancelled long before their deadline.

#include <hollywood/actor/timer.hpp>
#include <hollywood/thread_annotations.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hollywood::actor::detail {

using timer_clock = std::chrono::steady_clock;

/// Shared state of one timer (the public `timer` handle points here). @threadsafe
class timer_entry {
 public:
  timer_entry(std::function<void()> action, std::chrono::nanoseconds interval) noexcept
      : action_(std::move(action)), interval_(interval) {}

  void stop() noexcept { stopped_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool stopped() const noexcept { return stopped_.load(std::memory_order_relaxed); }
  [[nodiscard]] bool repeating() const noexcept { return interval_.count() > 0; }
  [[nodiscard]] std::chrono::nanoseconds interval() const noexcept { return interval_; }
  [[nodiscard]] bool fired() const noexcept { return fired_.load(std::memory_order_relaxed); }

  /// Runs the action (timer thread only).
  void fire() {
    fired_.store(true, std::memory_order_relaxed);
    action_();
  }

 private:
  std::function<void()> action_;
  std::chrono::nanoseconds interval_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> fired_{false};
};

/// Reaches the entry behind a public `timer` handle.
struct timer_access {
  static const std::shared_ptr<timer_entry>& entry(const timer& t) noexcept { return t.entry_; }
};

/// @threadsafe
class timer_service {
 public:
  timer_service();
  timer_service(const timer_service&) = delete;
  timer_service& operator=(const timer_service&) = delete;
  ~timer_service();

  /// Schedules `entry` to fire at `due` (and then every interval, for repeating entries).
  /// Returns false after `stop()`.
  bool schedule(std::shared_ptr<timer_entry> entry, timer_clock::time_point due);

  /// Stops the thread and drops every pending entry. Idempotent.
  void stop();

 private:
  struct item {
    timer_clock::time_point due;
    std::uint64_t seq;
    std::shared_ptr<timer_entry> entry;
    bool operator>(const item& o) const noexcept {
      return due != o.due ? due > o.due : seq > o.seq;
    }
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  void purge_stopped();

  std::vector<item> heap_ HOLLYWOOD_GUARDED_BY(mu_);  // a min-heap under std::greater
  std::uint64_t seq_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::size_t pushes_since_purge_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  bool stopping_ HOLLYWOOD_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace hollywood::actor::detail
