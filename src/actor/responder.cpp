// SPDX-License-Identifier: MIT
#include "responder.hpp"

#include <hollywood/cpu_relax.hpp>

#include "cpu_affinity.hpp"
#include "engine_impl.hpp"
#include "futex.hpp"
#include "process.hpp"
#include "scheduler.hpp"
#include "timer_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace hollywood::actor::detail {

// -- responder ---------------------------------------------------------------------------

responder::responder(engine_impl& engine, const std::string* address, std::string id, mode m,
                     std::chrono::steady_clock::time_point deadline, pid requester,
                     std::uint64_t request_id) noexcept
    : pid_target(target_kind::responder, address, std::move(id)),
      engine_(engine),
      mode_(m),
      deadline_(deadline),
      requester_(std::move(requester)),
      request_id_(request_id) {}

bool responder::claim() noexcept {
  std::uint32_t expected = pending;
  // The winner owns value_ until it publishes `filled` (acquire/release with wait() and other
  // claimers); seq_cst because it is also one half of the Dekker pair with mark_exposed().
  return state_.compare_exchange_strong(expected, filling, std::memory_order_seq_cst,
                                        std::memory_order_acquire);
}

// mark_exposed() stores `exposed_` then loads `state_`; claim()/abandon() leave `pending`, then
// retire() loads `exposed_`, all seq_cst: at least one side sees the other, so an exposed entry
// is either never inserted or always removed. retire() only runs after the exposing thread
// released the engine's lock (it saw `exposed_` set inside it), so the removal follows the insert.
bool responder::mark_exposed() noexcept {
  if (exposed_.load(std::memory_order_relaxed)) return false;  // already in the table
  exposed_.store(true, std::memory_order_seq_cst);
  return state_.load(std::memory_order_seq_cst) == pending;
}

void responder::retire() noexcept {
  if (exposed_.load(std::memory_order_seq_cst)) engine_.unexpose(*this);
}

void responder::finish(std::uint32_t final_state, expected<message> result, pid&& sender) noexcept {
  if (auto t = timeout_.lock()) t->stop();
  if (mode_ == mode::continuation) {
    sender_ = std::move(sender);  // published to the requester by the inbox push below
    state_.store(final_state, std::memory_order_release);
    // Failures are always this library's errc (timeout, unknown_target, inbox_full).
    message answer = result ? std::move(*result)
                            : message(request_failed{static_cast<errc>(result.error().value())});
    engine_.send(requester_, std::move(answer), pid(this));
    retire();
    return;
  }
  if (result) {
    value_ = std::move(*result);
    sender_ = std::move(sender);
  }
  // seq_cst store, then seq_cst load of `sleeping_`: the filler's half of the Dekker pair with
  // wait(), so the futex syscall is only made when a waiter may really be asleep.
  state_.store(final_state, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) != 0) {
    filler_cpu_.store(current_cpu(), std::memory_order_relaxed);  // a hint: see wait()
    futex_wake(state_);
  }
  retire();
}

bool responder::offer(message& m, pid&& sender) noexcept {
  // The deadline counts from the request, whether or not anyone waits yet.
  if (deadline_ != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() >= deadline_) {
    expire();
    return false;
  }
  if (!claim()) return false;
  finish(filled, expected<message>(std::move(m)), std::move(sender));
  return true;
}

void responder::expire() noexcept {
  if (claim()) finish(expired, unexpected(errc::timeout), pid{});
}

void responder::fail(errc why) noexcept {
  if (claim()) {
    failure_ = why;
    finish(failed, unexpected(why), pid{});
  }
}

void responder::abandon() noexcept {
  std::uint32_t s = pending;
  // seq_cst: the Dekker pair with mark_exposed() (see there).
  if (!state_.compare_exchange_strong(s, abandoned, std::memory_order_seq_cst)) {
    if (s == filled) {
      // A response nobody will read: release it now rather than with the last PID.
      state_.store(taken, std::memory_order_relaxed);
      value_.reset();
    }
  }
  if (auto t = timeout_.lock()) t->stop();
  retire();
}

bool responder::ready() const noexcept {
  const auto s = state_.load(std::memory_order_acquire);
  return s == filled || s == expired || s == failed ||
         std::chrono::steady_clock::now() >= deadline_;
}

void responder::leave_filler_cpu() noexcept {
  // The kernel often wakes a sleeper on its waker's CPU. A waiter woken there by the worker
  // that answered it shares that CPU with the worker from then on: it spins through its budget
  // on its next request while the worker cannot run, then sleeps and is woken there again. A
  // blocking request measured 2-5 us instead of 0.6 us that way, until the kernel's balancer
  // separated them ~20 ms later. Moving once puts the two on different CPUs.
  leave_cpu_if_on(filler_cpu_.load(std::memory_order_relaxed));
}

expected<message> responder::wait() {
  bool spun = false;
  for (;;) {
    std::uint32_t s = state_.load(std::memory_order_acquire);
    if (s == filled) {
      state_.store(taken, std::memory_order_relaxed);
      return std::move(value_);
    }
    if (s == expired) return unexpected(errc::timeout);
    if (s == failed) return unexpected(failure_);
    if (s == taken || s == abandoned) return unexpected(errc::cancelled);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) {
      expire();  // may lose to a response being filled; the loop sees which
      continue;
    }
    if (s == pending && !spun) {
      // Spin first, for the engine's spin budget: an answer usually takes about a microsecond,
      // a futex wake-up 10-25 us on a virtual machine.
      spun = true;
      const auto spin_until = now + engine_.sched().spin();
      while (state_.load(std::memory_order_acquire) == pending &&
             std::chrono::steady_clock::now() < std::min(spin_until, deadline_)) {
        for (int i = 0; i < 16; ++i)
          cpu_relax();
      }
      continue;
    }
    if (s == pending) {
      // Announce the sleep, then re-check (the waiter's half of the Dekker pair in finish()).
      sleeping_.store(1, std::memory_order_seq_cst);
      if (state_.load(std::memory_order_seq_cst) == pending) {
        const bool forever = deadline_ == std::chrono::steady_clock::time_point::max();
        futex_wait(state_, pending, forever ? std::chrono::nanoseconds{-1} : deadline_ - now);
        leave_filler_cpu();
      }
      sleeping_.store(0, std::memory_order_relaxed);
    }
    if (s == filling) futex_wait(state_, filling, std::chrono::microseconds(100));
  }
}

// -- mailbox -----------------------------------------------------------------------------

struct mailbox_target::state {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<envelope> queue;
  bool closed = false;
};

mailbox_target::mailbox_target(const std::string* address, std::string id) noexcept
    : pid_target(target_kind::mailbox, address, std::move(id)), state_(std::make_unique<state>()) {}

mailbox_target::~mailbox_target() = default;

bool mailbox_target::offer(message& m, const pid& sender) noexcept {
  {
    std::lock_guard lock(state_->mu);
    if (state_->closed) return false;
    state_->queue.emplace_back(std::move(m), sender);
  }
  state_->cv.notify_one();
  return true;
}

expected<envelope> mailbox_target::receive(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(state_->mu);
  if (!state_->cv.wait_for(lock, timeout, [&] { return !state_->queue.empty(); })) {
    return unexpected(errc::timeout);
  }
  envelope e = std::move(state_->queue.front());
  state_->queue.pop_front();
  return e;
}

std::vector<envelope> mailbox_target::close() {
  std::lock_guard lock(state_->mu);
  state_->closed = true;
  std::vector<envelope> rest;
  for (auto& e : state_->queue)
    rest.push_back(std::move(e));
  state_->queue.clear();
  return rest;
}

}  // namespace hollywood::actor::detail
