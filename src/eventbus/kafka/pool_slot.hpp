// SPDX-License-Identifier: MIT
#pragma once

// The state behind one pool actor. It lives outside the actor so that a crash (a fresh instance)
// or a replacement (a fresh actor) loses nothing: new records and attempt results queue here
// under a mutex, a wake-up message tells the serving actor to look, and the per-aggregate queues
// are only touched by whichever actor serves the slot (one at a time: a replacement starts only
// after its predecessor is gone).

#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/eventbus/kafka/handler.hpp>
#include <hollywood/thread_annotations.hpp>

#include "flight.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

/// The result of an attempt (or of a dead-letter produce) on its way back to the slot.
struct attempt_result {
  std::shared_ptr<record_state> rec;
  std::uint64_t token = 0;
  outcome result = outcome::success();
  bool dead_letter = false;
};

/// The message that tells a pool actor its slot has news. Carries nothing: a lost one (to a
/// crash) is harmless, because every (re)started actor looks anyway.
struct slot_wakeup {};

/// @threadsafe (the actor-confined members are marked)
class pool_slot {
 public:
  pool_slot(actor::engine& engine, std::string name) : engine_(engine), name_(std::move(name)) {}

  [[nodiscard]] const std::string& name() const noexcept { return name_; }

  // -- any thread ---------------------------------------------------------------------------

  /// A new record for this slot (consumer thread).
  void push_record(std::shared_ptr<record_state> rec);
  /// An attempt's or a dead-letter produce's result (completions, delivery callbacks).
  void push_result(attempt_result r);

  /// The actor now serving the slot.
  void set_server(const actor::pid& p);
  [[nodiscard]] actor::pid server() const;

  /// Records pushed and not yet finished.
  [[nodiscard]] std::size_t pending() const noexcept {
    // acquire: pairs with the release in `finished_one`, so a slot seen idle has no work left.
    return pending_.load(std::memory_order_acquire);
  }
  void finished_one() noexcept { pending_.fetch_sub(1, std::memory_order_release); }

  /// Set before the slot is given up (passivation, shutdown): its actor is not replaced.
  void retire() noexcept { retired_.store(true, std::memory_order_release); }
  [[nodiscard]] bool retired() const noexcept {
    // acquire: pairs with `retire`.
    return retired_.load(std::memory_order_acquire);
  }

  // -- the serving actor ----------------------------------------------------------------------

  /// Takes what arrived since the last call. Clears the wake-up flag first, so anything pushed
  /// after the take sends a new wake-up.
  void take(std::vector<std::shared_ptr<record_state>>& records,
            std::vector<attempt_result>& results);

  /// Per-aggregate FIFOs (the front is the record being worked on) and records without an
  /// aggregate (each on its own). Serving actor only.
  std::unordered_map<std::string, std::deque<std::shared_ptr<record_state>>> queues;
  std::unordered_map<const record_state*, std::shared_ptr<record_state>> loose;
  std::uint64_t next_token = 0;

 private:
  void wake();

  actor::engine& engine_;
  const std::string name_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<record_state>> incoming_ HOLLYWOOD_GUARDED_BY(mu_);
  std::vector<attempt_result> results_ HOLLYWOOD_GUARDED_BY(mu_);
  actor::pid server_ HOLLYWOOD_GUARDED_BY(mu_);
  // acq_rel exchanges on both sides: a producer that finds it clear sends the wake-up; the actor
  // clears it before taking, so a push it does not see finds it clear.
  std::atomic<bool> wake_pending_{false};
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> retired_{false};
};

}  // namespace hollywood::eventbus::kafka::detail
