// SPDX-License-Identifier: MIT
#include "bounded_inbox.hpp"

namespace hollywood::actor::detail {

bounded_inbox::bounded_inbox(std::size_t capacity, overflow_policy policy)
    : policy_(policy), locked_(policy == overflow_policy::drop_oldest) {
  if (locked_) {
    std::lock_guard lock(mu_);
    slots_.resize(capacity);
  } else {
    ring_.emplace(capacity);
  }
}

bounded_inbox::push_outcome bounded_inbox::push(message& m, const pid& sender,
                                                std::optional<envelope>& evicted) noexcept {
  if (!locked_) {
    switch (ring_->try_emplace(std::move(m), sender)) {
      case ringbuffer::push_result::ok:
        return push_outcome::ok;
      case ringbuffer::push_result::full:
        return push_outcome::full;
      case ringbuffer::push_result::closed:
        return push_outcome::closed;
    }
  }
  {
    std::lock_guard lock(mu_);
    if (closed_) return push_outcome::closed;
    const std::uint64_t pushes = pushes_.load(std::memory_order_relaxed);
    const std::uint64_t pops = pops_.load(std::memory_order_relaxed);
    if (pushes - pops == slots_.size()) {
      auto& oldest = slots_[pops % slots_.size()];
      evicted.emplace(std::move(*oldest));
      oldest.reset();
      pops_.store(pops + 1, std::memory_order_relaxed);
    }
    slots_[pushes % slots_.size()].emplace(std::move(m), sender);
    // seq_cst: publishes the push to the scheduler's pushed_since() (its Dekker half).
    pushes_.store(pushes + 1, std::memory_order_seq_cst);
  }
  // The unlock is only a release: the fence orders the push before the sender's read of the
  // scheduling bit, as the seq_cst RMW of a lock-free push does.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return push_outcome::ok;
}

std::optional<envelope> bounded_inbox::pop() noexcept {
  if (!locked_) {
    std::optional<envelope> e;
    if (envelope* front = ring_->front()) {
      e.emplace(std::move(*front));
      ring_->pop_front();
    }
    return e;
  }
  std::lock_guard lock(mu_);
  const std::uint64_t pops = pops_.load(std::memory_order_relaxed);
  if (pushes_.load(std::memory_order_relaxed) == pops) return std::nullopt;
  auto& slot = slots_[pops % slots_.size()];
  std::optional<envelope> e(std::move(*slot));
  slot.reset();
  pops_.store(pops + 1, std::memory_order_relaxed);
  return e;
}

void bounded_inbox::close() noexcept {
  if (!locked_) {
    ring_->close();
    return;
  }
  std::lock_guard lock(mu_);
  closed_ = true;
}

bool bounded_inbox::empty() const noexcept {
  if (!locked_) return ring_->empty();
  return pushes_.load(std::memory_order_seq_cst) == pops_.load(std::memory_order_relaxed);
}

std::uint64_t bounded_inbox::consumer_position() const noexcept {
  // For the ring, any snapshot of the consumer side works with pushed_since: compare counts.
  return locked_ ? pops_.load(std::memory_order_relaxed)
                 : static_cast<std::uint64_t>(ring_->size_approx());
}

std::uint64_t bounded_inbox::accepted() const noexcept {
  return locked_ ? pushes_.load(std::memory_order_seq_cst) : ring_->tail_position();
}

std::uint64_t bounded_inbox::removed() const noexcept {
  return locked_ ? pops_.load(std::memory_order_relaxed) : ring_->head_position();
}

bool bounded_inbox::pushed_since(std::uint64_t position) const noexcept {
  if (locked_) return pushes_.load(std::memory_order_seq_cst) != position;
  (void)position;
  return !ring_->empty();
}

std::size_t bounded_inbox::size_approx() const noexcept {
  if (!locked_) return ring_->size_approx();
  return static_cast<std::size_t>(pushes_.load(std::memory_order_relaxed) -
                                  pops_.load(std::memory_order_relaxed));
}

}  // namespace hollywood::actor::detail
