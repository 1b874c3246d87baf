// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

namespace hollywood::actor {

namespace detail {
class timer_entry;
struct timer_access;
}  // namespace detail

/// Handle of a scheduled `send_after` or `send_repeat`. `stop()` cancels it; it is idempotent and
/// safe after the timer fired. Dropping the handle does not cancel the timer. Timers started from
/// inside an actor (through its context) also stop when that actor stops.
/// @threadsafe
class timer {
 public:
  timer() noexcept = default;
  explicit timer(std::shared_ptr<detail::timer_entry> entry) noexcept : entry_(std::move(entry)) {}

  /// Cancels the timer: no further message is sent. Idempotent.
  void stop() const noexcept;

  /// Returns whether the timer may still send (not stopped, and not a one-shot that fired).
  [[nodiscard]] bool active() const noexcept;

 private:
  friend struct detail::timer_access;
  std::shared_ptr<detail::timer_entry> entry_;
};

}  // namespace hollywood::actor
