// SPDX-License-Identifier: MIT
#pragma once

// The engine's private state and the operations actors and the public API share.

#include <hollywood/actor/completion.hpp>
#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/engine_config.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/remote_transport.hpp>
#include <hollywood/actor/send_result.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/actor/timer.hpp>

#include "kind_record.hpp"
#include "log.hpp"
#include "registry.hpp"
#include "scheduler.hpp"
#include "timer_service.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace hollywood::actor::detail {

class process;
class mailbox_target;
class responder;

/// How a stop request treats queued messages.
enum class stop_mode : std::uint8_t {
  /// After everything queued before the request (poison).
  graceful,
  /// At once; queued messages become dead letters.
  immediate,
};

/// @threadsafe
class engine_impl {
 public:
  engine_impl(actor::engine& owner, engine_config config);
  engine_impl(const engine_impl&) = delete;
  engine_impl& operator=(const engine_impl&) = delete;
  ~engine_impl();

  /// Starts the workers, the timer thread, the engine's own actors and the remote; an error
  /// (from the remote) leaves the engine to be shut down.
  std::error_code start();
  void shutdown();

  // -- messaging ---------------------------------------------------------------------

  /// Delivers `m` to `to`, or publishes a dead letter. The empty PID is a no-op.
  void send(const pid& to, message&& m, const pid& sender) noexcept;
  /// `send` with a sender reference the caller hands over: a local actor's inbox or a responder
  /// adopts it, which saves two reference-count updates (atomic read-modify-writes, ~9 ns each)
  /// per message. Left with the caller when the message is not delivered.
  void send(const pid& to, message&& m, pid&& sender) noexcept;
  /// The part of that `send` which adopts: delivers `m` to a local actor's unbounded inbox or to
  /// a responder, taking `sender` over. Returns false, leaving both untouched, for any other
  /// target or when the target refuses.
  bool deliver_adopting(const pid& to, message& m, pid&& sender) noexcept;

  /// Whether messages a bounded inbox drops are published as dead letters.
  enum class drops : std::uint8_t {
    /// Published, like every undeliverable message.
    published,
    /// Only counted: for event delivery, where a dead letter is itself an event and would loop
    /// back into the subscriber whose full inbox dropped it.
    counted,
  };

  /// Delivers `m`; on any result but `delivered` it leaves `m` with the caller, which owns the
  /// dead letter (except for messages a drop policy already dead-lettered).
  send_result try_deliver(const pid& to, message& m, const pid& sender,
                          drops mode = drops::published) noexcept;

  /// `try_deliver`, then the dead letter for anything not delivered except `inbox_full`, which is
  /// returned to the caller of `try_send` to decide.
  send_result try_send(const pid& to, message&& m, const pid& sender) noexcept;

  /// Sends a request from `responder`; if it cannot be delivered, dead-letters it and fails the
  /// responder (`unknown_target`, or `inbox_full` for a full bounded inbox).
  void send_request(const pid& to, message&& m, pid&& responder) noexcept;

  /// Returns the local process a PID made from strings names, or `p` itself.
  [[nodiscard]] pid resolve(const pid& p) const;

  /// Death watch of `target` (local or remote) on behalf of `watcher` (see engine::watch).
  void watch(const pid& target, const pid& watcher);
  void unwatch(const pid& target, const pid& watcher);

  /// Returns the local target with this ID: an actor, an exposed responder, or the root mailbox.
  [[nodiscard]] pid find_local(std::string_view id) const;

  /// Makes a responder reachable by its ID (for answers arriving from other engines) until it
  /// is done; see responder::retire.
  void expose(responder& r);
  /// Called by a responder that is done, if it was exposed.
  void unexpose(responder& r) noexcept;

  /// Publishes a dead letter for `m` (counted even when nobody subscribes).
  void dead_letter(const pid& target, message&& m, const pid& sender, dead_letter_reason reason,
                   std::string detail = {}) noexcept;
  void set_dead_letter_rewrite(engine::dead_letter_rewrite fn);

  /// Publishes `event` to the event stream's subscribers (skipped cheaply when there are none).
  void publish(message&& event) noexcept;
  template <class E>
  void publish_event(E&& event) noexcept {
    if (has_subscribers()) publish(message(std::forward<E>(event)));
  }
  /// Whether an event published now may reach a subscriber: lets frequent publishers (every
  /// spawn and stop) skip building an event, whose PIDs cost atomic reference-count updates.
  [[nodiscard]] bool has_subscribers() const noexcept {
    return subscribers_hint_.load(std::memory_order_acquire) > 0;
  }

  // -- actors ------------------------------------------------------------------------

  /// Takes what it uses of `make` and `options` (moves from them); null `options` means the
  /// defaults.
  expected<pid> spawn(producer&& make, std::string_view kind, spawn_options* options,
                      process* parent);
  completion stop(const pid& target, stop_mode mode);
  response request(const pid& to, message&& m, std::chrono::nanoseconds timeout);

  /// Creates a responder whose answer reaches `requester`'s inbox with the responder as sender.
  pid make_continuation_responder(process& requester, std::uint64_t request_id,
                                  std::chrono::nanoseconds timeout);

  timer schedule_timer(std::function<void()> action, std::chrono::nanoseconds first,
                       std::chrono::nanoseconds interval);

  void subscribe(const pid& subscriber);
  void unsubscribe(const pid& subscriber);
  /// Called by the event stream when a subscription ends (unsubscribe, duplicate, dead).
  void subscription_dropped() noexcept {
    subscribers_hint_.fetch_sub(1, std::memory_order_acq_rel);
  }

  // -- parts -------------------------------------------------------------------------

  [[nodiscard]] actor::engine& owner() const noexcept { return owner_; }
  [[nodiscard]] const engine_config& config() const noexcept { return config_; }
  [[nodiscard]] const std::string* address() const noexcept { return address_; }
  [[nodiscard]] scheduler& sched() noexcept { return scheduler_; }
  [[nodiscard]] registry& actors() noexcept { return registry_; }
  [[nodiscard]] const registry& actors() const noexcept { return registry_; }
  [[nodiscard]] const pid& root() const noexcept { return root_; }
  [[nodiscard]] const pid& event_stream() const noexcept { return event_stream_; }
  [[nodiscard]] mailbox_target& root_mailbox() const noexcept;
  [[nodiscard]] std::uint64_t max_restarts_exceeded() const noexcept {
    return max_restarts_exceeded_.load(std::memory_order_relaxed);
  }
  void count_max_restarts_exceeded() noexcept {
    max_restarts_exceeded_.fetch_add(1, std::memory_order_relaxed);
  }

  /// What `engine::stats` reports; with `scope::kinds`, everything but the per-actor list.
  enum class scope : std::uint8_t { kinds, actors };
  [[nodiscard]] engine_stats stats(scope what) const;
  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
  /// The rate limits of this engine's crash, restart and dead-letter lines.
  [[nodiscard]] limited_log& event_log() noexcept { return event_log_; }

 private:
  std::string next_responder_id();
  /// The calling thread's blocks of numbers: a worker's own, or a plain thread's for this engine.
  worker::number_blocks& number_blocks() noexcept;
  /// The next number of `counter`, from `b`.
  static std::uint64_t take_number(std::atomic<std::uint64_t>& counter,
                                   worker::number_block& b) noexcept;
  kind_record* intern_kind(std::string_view kind);
  void count_dead_letter(dead_letter_reason reason) noexcept {
    dead_letters_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  /// The scheduler's idle hook (memory_return::when_idle): hands back inbox blocks kept for
  /// reuse, the process heap's free pages, then malloc's. On a worker of an idle engine.
  void return_memory() noexcept;
  /// Has the timer thread fault in a span of each of `heaps` (slab_heap::take_populate_requests)
  /// ahead of the spawners.
  void populate_heap_ahead(std::uint32_t heaps) noexcept;
  void add_kind_stats(engine_stats& s) const;
  void add_worker_stats(engine_stats& s) const;
  send_result deliver_bounded(process& p, message& m, const pid& sender, drops mode) noexcept;
  send_result route_remote(const pid& to, message& m, const pid& sender) noexcept;
  /// sender_backoff::yield, after a plain thread queued a message for `p`.
  void back_off_if_behind(const process& p) noexcept;

  const std::uint64_t serial_;  // unique per engine in this process
  actor::engine& owner_;
  const engine_config config_;
  // The inbox depth past which plain-thread senders yield; the largest size_t for none.
  const std::size_t backoff_backlog_;
  const std::string* address_;
  registry registry_;
  scheduler scheduler_;
  timer_service timers_;
  remote_transport* const remote_;  // owned by config_
  std::atomic<bool> remote_attached_{false};
  pid root_;
  pid event_stream_;
  std::atomic<std::uint64_t> next_run_{0};  // runs of actor numbers (number_table::take)
  std::atomic<std::uint64_t> next_request_{1};
  // Relaxed: statistics. One counter per reason; the total is their sum.
  std::array<std::atomic<std::uint64_t>, dead_letter_reason_count> dead_letters_{};
  std::atomic<std::uint64_t> max_restarts_exceeded_{0};
  std::atomic<std::uint64_t> memory_returns_{0};
  std::atomic<std::uint64_t> memory_returned_bytes_{0};
  std::atomic<std::uint64_t> sender_backoffs_{0};
  std::atomic<std::int64_t> subscribers_hint_{0};
  limited_log event_log_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shut_down_{false};
  std::mutex shutdown_mu_;
  mutable std::mutex exposed_mu_;
  std::unordered_map<std::string_view, pid> exposed_ HOLLYWOOD_GUARDED_BY(exposed_mu_);
  std::atomic<std::size_t> exposed_count_{0};
  // Whether rewrite_ is set, so dead letters skip the lock when it is not. Release in
  // set_dead_letter_rewrite pairs with the acquire in dead_letter.
  std::atomic<bool> has_rewrite_{false};
  std::mutex rewrite_mu_;  // dead letters are off the hot path; a copy under the lock suffices
  std::shared_ptr<const engine::dead_letter_rewrite> rewrite_ HOLLYWOOD_GUARDED_BY(rewrite_mu_);
  mutable std::mutex kinds_mu_;
  // Never erased: a kind's totals outlive its actors. Keys view the records' names.
  std::unordered_map<std::string_view, std::unique_ptr<kind_record>> kinds_
      HOLLYWOOD_GUARDED_BY(kinds_mu_);
  // Serialises snapshots, and guards what keeps their totals from going down: each kind's
  // `reported_processed` and the workers' last reported busy times.
  mutable std::mutex stats_mu_;
  struct busy_window {
    std::int64_t started = 0;  // to_ns time of the window's first sample (0: none yet)
    std::vector<std::chrono::nanoseconds> busy_then;
    std::vector<std::chrono::nanoseconds> reported;  // the highest busy time reported per worker
    std::vector<double> ratio;                       // of the last full window
  };
  mutable busy_window busy_ HOLLYWOOD_GUARDED_BY(stats_mu_);
};

}  // namespace hollywood::actor::detail
