// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <memory>

namespace hollywood::actor {

namespace detail {
class completion_state;
}

/// A one-shot "it happened" signal, returned by `stop` and `poison`: done once the actor and
/// all its descendants handled `stopped` and left the registry.
///
///   engine.poison(p).wait();
///
/// Waiting blocks the calling thread; on an engine worker (inside an actor) it is refused and
/// returns `false` at once, because blocking a worker could deadlock the engine. A
/// default-constructed completion is already done.
/// @threadsafe
class completion {
 public:
  completion() noexcept = default;
  explicit completion(std::shared_ptr<detail::completion_state> state) noexcept
      : state_(std::move(state)) {}

  /// Returns whether the signal fired.
  [[nodiscard]] bool done() const noexcept;

  /// Blocks until done. Returns `false` without waiting when called on an engine worker.
  bool wait() const;

  /// Blocks until done or `timeout` passed; returns whether it is done. Returns `false` at once
  /// on an engine worker unless already done.
  bool wait_for(std::chrono::nanoseconds timeout) const;

 private:
  std::shared_ptr<detail::completion_state> state_;
};

}  // namespace hollywood::actor
