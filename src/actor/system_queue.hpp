// SPDX-License-Identifier: MIT
#pragma once

// The system inbox of a process: a small intrusive lock-free stack (LIFO push, the consumer takes
// everything and reverses it into FIFO order) for control messages that must overtake user
// messages: stop, child termination, restart. They are rare, so each is heap-allocated; the
// stack costs one pointer per actor.

#include <hollywood/actor/pid.hpp>

#include "completion_state.hpp"

#include <atomic>
#include <cstdint>
#include <memory>

namespace hollywood::actor::detail {

enum class system_kind : std::uint8_t {
  /// Stop now: dead-letter the inbox, stop the children, then handle `stopped`.
  stop,
  /// A child left the registry for good (`subject` names it).
  child_terminated,
  /// The restart delay after a crash passed; make a fresh instance.
  restart,
  /// The parent restarts every child (all_for_one): replace the instance now.
  restart_now,
  /// A child crashed and will restart (`subject` names it); sent to all_for_one parents.
  child_crashed,
  /// `subject` watches this process.
  watch,
  /// `subject` no longer watches this process.
  unwatch,
  /// This process starts watching `subject` (engine::watch on its behalf).
  watch_target,
  /// This process stops watching `subject` (engine::unwatch on its behalf).
  unwatch_target,
  /// Graceful stop of a bounded inbox: stop once the messages accepted before it (`generation`
  /// holds the inbox position) are handled.
  poison_at,
};

struct system_message {
  system_message* next = nullptr;
  system_kind kind;
  pid subject;
  std::shared_ptr<completion_state> done;  // completed when the process terminates (stop)
  std::uint64_t generation = 0;            // restart: which crash scheduled it
};

/// @threadsafe push; one consumer (the worker running the process) takes.
class system_queue {
 public:
  system_queue() noexcept = default;
  system_queue(const system_queue&) = delete;
  system_queue& operator=(const system_queue&) = delete;
  ~system_queue() { delete_all(take_all()); }

  /// Pushes `m`; returns false (leaving `m` with the caller) after `close()`.
  bool push(system_message* m) noexcept {
    system_message* head = head_.load(std::memory_order_relaxed);
    do {
      if (head == closed_marker()) return false;
      m->next = head;
      // seq_cst: as for the inbox, the push is the fence before the sender reads the process's
      // scheduling bit. Release pairs with the acquire exchange in take_all()/close().
    } while (!head_.compare_exchange_weak(head, m, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
    return true;
  }

  /// Takes every queued message in FIFO order (null if none).
  system_message* take_all() noexcept {
    if (head_.load(std::memory_order_relaxed) == nullptr) return nullptr;
    system_message* head = head_.load(std::memory_order_acquire);
    while (head != nullptr && head != closed_marker() &&
           !head_.compare_exchange_weak(head, nullptr, std::memory_order_acquire,
                                        std::memory_order_acquire)) {
    }
    return head == closed_marker() ? nullptr : reverse(head);
  }

  /// Closes the queue and returns what was still queued, in FIFO order.
  system_message* close() noexcept {
    system_message* head = head_.exchange(closed_marker(), std::memory_order_acq_rel);
    return head == closed_marker() ? nullptr : reverse(head);
  }

  /// Returns whether nothing is queued (sequentially consistent: the scheduler's re-check).
  [[nodiscard]] bool empty() const noexcept {
    system_message* head = head_.load(std::memory_order_seq_cst);
    return head == nullptr || head == closed_marker();
  }

  /// Like empty(), without ordering: a hint for the consumer's hot loop.
  [[nodiscard]] bool empty_relaxed() const noexcept {
    return head_.load(std::memory_order_relaxed) == nullptr;
  }

  static void delete_all(system_message* m) noexcept {
    while (m != nullptr)
      delete std::exchange(m, m->next);
  }

 private:
  static system_message* closed_marker() noexcept {
    static system_message marker{nullptr, system_kind::stop, {}, {}, 0};
    return &marker;
  }
  static system_message* reverse(system_message* m) noexcept {
    system_message* out = nullptr;
    while (m != nullptr) {
      system_message* next = m->next;
      m->next = out;
      out = m;
      m = next;
    }
    return out;
  }

  std::atomic<system_message*> head_{nullptr};
};

}  // namespace hollywood::actor::detail
