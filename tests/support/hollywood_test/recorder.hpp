// SPDX-License-Identifier: MIT
#pragma once

/// A test probe: an actor that keeps every message it receives (lifecycle messages included),
/// with blocking waits on a condition variable and a generous deadline, so tests never guess a
/// sleep.
///
///   recorder rec(engine);
///   engine.subscribe(rec.pid());
///   ...
///   ASSERT_TRUE(rec.wait_count<dead_letter_event>(1));

#include <hollywood/actor.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <hollywood_test/wait.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hollywood::test {

class recorder {
 public:
  struct entry {
    actor::message msg;
    actor::pid sender;
  };

  explicit recorder(actor::engine& e, std::string kind = "recorder")
      : state_(std::make_shared<state>()) {
    auto s = state_;
    pid_ = e.spawn_fn(
        [s](actor::context& ctx) {
          {
            std::lock_guard lock(s->mu);
            s->entries.push_back(entry{std::move(ctx.message()), ctx.sender()});
          }
          s->cv.notify_all();
        },
        kind);
  }

  [[nodiscard]] const actor::pid& pid() const noexcept { return pid_; }

  /// Returns copies of every received `T`, in arrival order.
  template <class T>
  std::vector<T> all() const {
    std::lock_guard lock(state_->mu);
    std::vector<T> out;
    for (const auto& e : state_->entries) {
      if (auto* v = e.msg.template get_if<T>()) out.push_back(*v);
    }
    return out;
  }

  /// Returns the senders of every received `T`, in arrival order.
  template <class T>
  std::vector<actor::pid> senders() const {
    std::lock_guard lock(state_->mu);
    std::vector<actor::pid> out;
    for (const auto& e : state_->entries) {
      if (e.msg.template is<T>()) out.push_back(e.sender);
    }
    return out;
  }

  template <class T>
  std::size_t count() const {
    std::lock_guard lock(state_->mu);
    std::size_t n = 0;
    for (const auto& e : state_->entries)
      n += e.msg.template is<T>() ? 1 : 0;
    return n;
  }

  /// Waits until at least `n` messages of type `T` arrived.
  template <class T>
  bool wait_count(std::size_t n, std::chrono::milliseconds deadline = default_deadline) const {
    return wait([&] { return count_locked<T>() >= n; }, deadline);
  }

  /// Waits until some received `T` satisfies `pred`.
  template <class T, class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds deadline = default_deadline) const {
    return wait(
        [&] {
          for (const auto& e : state_->entries) {
            if (auto* v = e.msg.template get_if<T>(); v != nullptr && pred(*v)) return true;
          }
          return false;
        },
        deadline);
  }

 private:
  struct state {
    mutable std::mutex mu;
    std::condition_variable cv;
    std::vector<entry> entries;
  };

  template <class T>
  std::size_t count_locked() const {
    std::size_t n = 0;
    for (const auto& e : state_->entries)
      n += e.msg.template is<T>() ? 1 : 0;
    return n;
  }

  bool wait(const std::function<bool()>& cond, std::chrono::milliseconds deadline) const {
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, deadline, cond);
  }

  std::shared_ptr<state> state_;
  actor::pid pid_;
};

}  // namespace hollywood::test
