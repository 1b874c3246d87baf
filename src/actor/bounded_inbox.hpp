// SPDX-License-Identifier: MIT
#pragma once

// The inbox of an actor spawned with `inbox_capacity`: at most that many queued messages, with an
// overflow policy. `block`, `fail` and `drop_newest` only need "push or report full", which the
// lock-free `mpsc_ring` gives. `drop_oldest` needs a producer to take the oldest message out,
// which a single-consumer ring cannot allow, so that policy uses a small locked ring instead.
//
// Both keep the property the scheduler needs (see docs/threading.md): a successful push is a
// sequentially consistent read-modify-write before the sender reads the scheduling bit, and
// `pushed_since` is a sequentially consistent load.

#include <hollywood/actor/envelope.hpp>
#include <hollywood/actor/supervision.hpp>
#include <hollywood/ringbuffer/mpsc_ring.hpp>
#include <hollywood/thread_annotations.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace hollywood::actor::detail {

/// @threadsafe push; one consumer.
class bounded_inbox {
 public:
  enum class push_outcome : std::uint8_t { ok, full, closed };

  bounded_inbox(std::size_t capacity, overflow_policy policy);
  bounded_inbox(const bounded_inbox&) = delete;
  bounded_inbox& operator=(const bounded_inbox&) = delete;

  /// Queues `m` (left untouched unless the outcome is `ok`). With `drop_oldest`, a full inbox
  /// makes room: the evicted envelope lands in `evicted` and the outcome is `ok`.
  push_outcome push(message& m, const pid& sender, std::optional<envelope>& evicted) noexcept;

  /// Consumes up to `max` envelopes like `mpsc_queue::consume`. @consumer
  /// Each envelope leaves its slot before `fn` sees it: the message in hand does not count
  /// against the capacity, so a busy actor still has room for `capacity` queued messages.
  template <class F>
  std::size_t consume(std::size_t max, F&& fn) noexcept {
    std::size_t n = 0;
    while (n < max) {
      std::optional<envelope> e = pop();
      if (!e) break;
      ++n;
      if (!fn(*e)) break;
    }
    return n;
  }

  void close() noexcept;
  [[nodiscard]] bool empty() const noexcept;
  [[nodiscard]] std::uint64_t consumer_position() const noexcept;
  /// Returns how many messages were ever accepted (a monotonic position). @threadsafe
  [[nodiscard]] std::uint64_t accepted() const noexcept;
  /// Returns how many messages ever left the inbox (handled or evicted). @consumer
  [[nodiscard]] std::uint64_t removed() const noexcept;
  [[nodiscard]] bool pushed_since(std::uint64_t position) const noexcept;
  [[nodiscard]] std::size_t size_approx() const noexcept;
  [[nodiscard]] overflow_policy policy() const noexcept { return policy_; }

  /// A graceful stop waits until this many messages were removed (UINT64_MAX: none pending).
  /// @consumer
  std::uint64_t poison_mark = UINT64_MAX;

 private:
  std::optional<envelope> pop() noexcept;

  const overflow_policy policy_;
  const bool locked_;
  std::optional<ringbuffer::mpsc_ring<envelope>> ring_;

  // drop_oldest: a ring of `capacity` envelopes behind a mutex. `pushes_`/`pops_` count
  // positions so the scheduler can ask "anything new?" without the lock.
  mutable std::mutex mu_;
  std::vector<std::optional<envelope>> slots_ HOLLYWOOD_GUARDED_BY(mu_);
  bool closed_ HOLLYWOOD_GUARDED_BY(mu_) = false;
  std::atomic<std::uint64_t> pushes_{0};
  std::atomic<std::uint64_t> pops_{0};
};

}  // namespace hollywood::actor::detail
