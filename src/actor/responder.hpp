// SPDX-License-Identifier: MIT
#pragma once

// The temporary target of a request. It accepts exactly one response before its deadline; any
// other (a second response, a late one, one after the requester gave up) becomes a dead letter.
// It is not registered anywhere: the request's target reaches it through the sender PID, and it
// is freed when the last PID referring to it goes away.
//
// Two modes: `blocking` keeps the response for a thread waiting in `response::get()`;
// `continuation` forwards the response itself to the requesting actor's inbox, with the responder
// as its sender: the actor recognises its own responder and runs the continuation. A failure
// (timeout, unknown target) travels the same way as a small `request_failed`.

#include <hollywood/actor/detail/pid_target.hpp>
#include <hollywood/actor/envelope.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace hollywood::actor::detail {

class engine_impl;
class timer_entry;

/// @threadsafe
class responder final : public pid_target {
 public:
  enum class mode : std::uint8_t { blocking, continuation };

  responder(engine_impl& engine, const std::string* address, std::string id, mode m,
            std::chrono::steady_clock::time_point deadline, pid requester,
            std::uint64_t request_id) noexcept;

  /// Offers a response. Returns false (leaving `m` untouched) if one was already accepted, the
  /// deadline passed or the requester gave up.
  bool offer(message& m, const pid& sender) noexcept { return offer(m, pid(sender)); }
  /// `offer` that takes over `sender` when it accepts the response (untouched otherwise).
  bool offer(message& m, pid&& sender) noexcept;

  /// Marks the deadline as reached: later offers fail. For `continuation`, tells the requester.
  void expire() noexcept;

  /// The requester gives up (its `response` was destroyed): later offers fail.
  void abandon() noexcept;

  /// The request could not be sent: the requester learns `why`.
  void fail(errc why) noexcept;

  /// Records that the engine exposed this responder to remote answers; returns false (and the
  /// engine skips it) if it is already done. Called under the engine's exposure lock.
  bool mark_exposed() noexcept;
  /// The engine dropped its exposure table (shutdown): retire() has nothing to remove.
  void forget_exposure() noexcept { exposed_.store(false, std::memory_order_relaxed); }

  /// Remembers the timeout timer, cancelled when a response arrives (weak: the timer's action
  /// holds this responder).
  void set_timeout(std::weak_ptr<timer_entry> t) noexcept { timeout_ = std::move(t); }

  /// Waits for the response until the deadline (blocking mode).
  expected<message> wait();

  /// Returns whether a response is ready or the deadline passed (blocking mode).
  [[nodiscard]] bool ready() const noexcept;

  // -- continuation mode, read by the requesting actor ----------------------------

  [[nodiscard]] bool requester_is(const pid_target* p) const noexcept {
    return mode_ == mode::continuation && requester_.target() == p;
  }
  [[nodiscard]] std::uint64_t request_id() const noexcept { return request_id_; }
  /// Who answered (written before the answer is queued, so the requester sees it), handed over
  /// to the requester's continuation: no one else reads it in continuation mode.
  /// @pre called once, by the requester, while it handles the answer.
  [[nodiscard]] pid take_answerer() noexcept { return std::move(sender_); }

 private:
  enum state : std::uint32_t { pending = 0, filling, filled, expired, abandoned, taken, failed };
  bool claim() noexcept;
  /// Leaves the engine's exposure table once done (see mark_exposed).
  void retire() noexcept;
  void finish(std::uint32_t final_state, expected<message> result, pid&& sender) noexcept;
  /// After a sleep in wait(): moves the waiter off the CPU of the thread that answered.
  void leave_filler_cpu() noexcept;

  engine_impl& engine_;
  std::atomic<std::uint32_t> state_{pending};
  std::atomic<std::uint32_t> sleeping_{0};  // a waiter is (about to be) in futex_wait
  std::atomic<int> filler_cpu_{-1};         // where the answer came from, if a waiter slept
  std::atomic<bool> exposed_{false};
  const mode mode_;
  const std::chrono::steady_clock::time_point deadline_;
  message value_;
  pid sender_;
  pid requester_;
  const std::uint64_t request_id_;
  errc failure_ = errc::unknown_target;  // written before `failed` is published
  std::weak_ptr<timer_entry> timeout_;
};

/// The target of `engine::root()`: a queue that threads outside the engine read from.
/// @threadsafe
class mailbox_target final : public pid_target {
 public:
  mailbox_target(const std::string* address, std::string id) noexcept;
  ~mailbox_target();

  /// Queues a message; false after `close()`.
  bool offer(message& m, const pid& sender) noexcept;
  /// Waits up to `timeout` for the next message.
  expected<envelope> receive(std::chrono::nanoseconds timeout);
  /// Refuses further messages and returns the ones still queued.
  std::vector<envelope> close();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace hollywood::actor::detail
