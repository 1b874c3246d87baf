// SPDX-License-Identifier: MIT
#pragma once

/// Waiting helpers for tests: wait on a condition with a generous deadline instead of sleeping a
/// guessed amount. The deadline only bounds a failing test; a passing one returns as soon as the
/// condition holds.

#include <chrono>
#include <functional>
#include <thread>

namespace hollywood::test {

/// Generous bound for anything a test waits for: sanitizers on 2 cores are slow, not stuck.
inline constexpr std::chrono::seconds default_deadline{30};

/// Polls `cond` until it holds or `deadline` passes; returns its last value.
inline bool wait_until(const std::function<bool()>& cond,
                       std::chrono::milliseconds deadline = default_deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  auto pause = std::chrono::microseconds(10);
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= end) return cond();
    std::this_thread::sleep_for(pause);  // back-off while polling a condition, not a guess
    if (pause < std::chrono::milliseconds(2)) pause *= 2;
  }
  return true;
}

}  // namespace hollywood::test
