// SPDX-License-Identifier: MIT
#include <hollywood/actor/completion.hpp>
#include <hollywood/actor/response.hpp>
#include <hollywood/actor/timer.hpp>

#include "completion_state.hpp"
#include "responder.hpp"
#include "scheduler.hpp"
#include "timer_service.hpp"

namespace hollywood::actor {

// -- completion --------------------------------------------------------------------------

bool completion::done() const noexcept {
  return !state_ || state_->done();
}

bool completion::wait() const {
  while (!done()) {
    if (detail::current_worker() != nullptr) return false;
    state_->wait();
  }
  return true;
}

bool completion::wait_for(std::chrono::nanoseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (detail::current_worker() != nullptr) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    state_->wait(deadline - now);
  }
  return true;
}

// -- timer -------------------------------------------------------------------------------

void timer::stop() const noexcept {
  if (entry_) entry_->stop();
}

bool timer::active() const noexcept {
  return entry_ && !entry_->stopped() && (entry_->repeating() || !entry_->fired());
}

// -- response ----------------------------------------------------------------------------

namespace {
detail::responder* as_responder(const pid& p) noexcept {
  return p && p.target()->kind() == detail::target_kind::responder
             ? static_cast<detail::responder*>(p.target())
             : nullptr;
}
}  // namespace

response::~response() {
  if (auto* r = as_responder(responder_)) r->abandon();
}

expected<message> response::get() {
  auto* r = as_responder(responder_);
  if (r == nullptr) return unexpected(errc::cancelled);
  if (detail::current_worker() != nullptr && !r->ready()) {
    return unexpected(errc::blocking_in_actor);
  }
  return r->wait();
}

bool response::ready() const noexcept {
  auto* r = as_responder(responder_);
  return r == nullptr || r->ready();
}

}  // namespace hollywood::actor
