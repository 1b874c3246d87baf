// SPDX-License-Identifier: MIT
#pragma once

// The shared state behind `attempt_completion`: the first completion of an attempt goes back to
// its slot; later ones are ignored; if nobody completes it, the last copy's destruction fails
// the attempt.

#include <hollywood/eventbus/kafka/handler.hpp>

#include "pool_slot.hpp"

#include <atomic>
#include <cstdint>
#include <memory>

namespace hollywood::eventbus::kafka::detail {

/// @threadsafe
class attempt_state {
 public:
  attempt_state(std::weak_ptr<pool_slot> slot, std::shared_ptr<record_state> rec,
                std::uint64_t token) noexcept
      : slot_(std::move(slot)), rec_(std::move(rec)), token_(token) {}
  attempt_state(const attempt_state&) = delete;
  attempt_state& operator=(const attempt_state&) = delete;
  ~attempt_state();

  /// Delivers `result` unless the attempt was already completed.
  void complete(outcome result);

 private:
  std::weak_ptr<pool_slot> slot_;  // weak: a completion kept past the bus's end does nothing
  std::shared_ptr<record_state> rec_;
  std::uint64_t token_;
  // acq_rel: exactly one caller wins; nothing else is published through it.
  std::atomic<bool> done_{false};
};

}  // namespace hollywood::eventbus::kafka::detail
