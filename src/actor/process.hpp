// SPDX-License-Identifier: MIT
#pragma once

// A local actor: its inboxes, its scheduling bit (in pid_target::ctl_), and the lifecycle state
// machine its worker drives.
//
// Phases (changed only by the worker running the process):
//
//   created --start--> running --crash--> suspended --restart delay--> created
//      |                  |                   |
//      +------------------+-------------------+--stop/poison/max restarts--> stopping --> dead
//
// `stopping` waits for the children to terminate; `dead` means deregistered, both inboxes closed
// and drained, `stopped` handled. Senders only ever touch the inboxes and the scheduling bit.

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/detail/pid_target.hpp>
#include <hollywood/actor/envelope.hpp>
#include <hollywood/actor/middleware.hpp>
#include <hollywood/actor/receiver.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/actor/supervision.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include "bounded_inbox.hpp"
#include "completion_state.hpp"
#include "kind_record.hpp"
#include "log.hpp"
#include "system_queue.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hollywood::actor::detail {

class engine_impl;
class responder;
class timer_entry;
struct worker;

/// The options of a spawn that changed none of the defaults: shared, so such actors store none.
const spawn_options& default_spawn_options() noexcept;

/// How the parent wants its children supervised; copied into each child at spawn.
struct parent_policy {
  supervision_strategy strategy = supervision_strategy::one_for_one;
  escalation on_failure = escalation::none;
};

/// Internal user-inbox message: graceful stop, ordered after everything queued before it.
struct poison_pill {
  std::shared_ptr<completion_state> done;
};

/// Internal user-inbox message: a non-blocking request failed (timeout, unknown target); its
/// sender is the request's responder.
struct request_failed {
  errc why;
};

enum class phase : std::uint8_t { created, running, suspended, stopping, dead };

enum class run_result : std::uint8_t {
  /// The process gave up its scheduling bit; the worker must not touch it again.
  released,
  /// The process still owns its scheduling bit and has more to do: requeue it.
  yield,
};

class process final : public pid_target {
 public:
  // 127-slot (8 KB) blocks: a stream allocates one per 127 messages. Senders that are not workers
  // allocate from malloc and the worker frees into their arenas, so fewer, larger blocks cut that
  // churn (4 senders -> 1 actor: 23 M -> 33 M msgs/s; 2 KB blocks measured no better than 4 KB).
  // An idle actor holds none, and its next message needs only a 3-slot block.
  using inbox_type = ringbuffer::mpsc_queue<envelope, 127, ringbuffer::queue_layout::compact, 3>;
  // A slot is the 4-byte ready flag, padded to 8, then the envelope: one cache line exactly, so
  // a full block's slots each own a line (a larger envelope would make every slot straddle two).
  static_assert(sizeof(envelope) + alignof(envelope) == cache_line_size);

  /// Spawn options that differ from the defaults, and the bounded inbox they may ask for: set at
  /// construction (the process makes the inbox), so one pointer costs the many actors that use
  /// neither.
  struct customization {
    spawn_options options;
    std::unique_ptr<bounded_inbox> bounded;  // set when spawned with an inbox capacity
  };

  /// `custom` null: the default options. `kind` was interned by the engine the process runs on.
  /// An empty `id` names the process by `number` (see pid_target). Takes `id`, `make`, `custom`
  /// and `parent` over (moves from them).
  process(const std::string* address, std::string&& id, std::uint64_t number, producer&& make,
          kind_record* kind, std::unique_ptr<customization>&& custom, pid&& parent,
          parent_policy policy);
  ~process();

  // Processes live in the process heap's cache-line slots (see process_heap.hpp).
  static void* operator new(std::size_t size);
  static void operator delete(void* slot) noexcept;

  // -- any thread ----------------------------------------------------------------

  /// Whether user messages go to a bounded inbox (`push_bounded`) instead of `deliver`.
  [[nodiscard]] bool bounded() const noexcept { return custom_ && custom_->bounded; }

  /// Queues a user message (unbounded inbox) and schedules the process. Returns false when the
  /// inbox is closed; `m` is then untouched and the caller owns the dead letter.
  bool deliver(message& m, const pid& sender) noexcept {
    if (inbox_.try_emplace(std::move(m), sender) != ringbuffer::push_result::ok) return false;
    schedule_after_push();
    return true;
  }
  /// `deliver` that adopts `sender` into the envelope (left untouched when it returns false).
  bool deliver(message& m, pid&& sender) noexcept {
    if (inbox_.try_emplace(std::move(m), std::move(sender)) != ringbuffer::push_result::ok) {
      return false;
    }
    schedule_after_push();
    return true;
  }

  /// Queues a user message in the bounded inbox and schedules the process on success.
  bounded_inbox::push_outcome push_bounded(message& m, const pid& sender,
                                           std::optional<envelope>& evicted) noexcept;
  [[nodiscard]] const spawn_options& options() const noexcept {
    return custom_ ? custom_->options : default_spawn_options();
  }
  /// Messages the bounded inbox ever accepted: the position a graceful stop waits for.
  [[nodiscard]] std::uint64_t accepted() const noexcept { return bounded_queue()->accepted(); }

  /// Queues a system message and schedules the process; false (caller keeps `m`) when dead.
  bool deliver_system(system_message* m) noexcept;

  [[nodiscard]] engine_impl& engine() const noexcept { return *kind_->engine; }
  [[nodiscard]] const std::string& kind() const noexcept { return kind_->name; }
  [[nodiscard]] kind_record& kind_totals() const noexcept { return *kind_; }
  /// Where the registry keeps this process (its word, see registry::placement): written by the
  /// registry under the shard's lock when it registers the process, read back when it leaves.
  [[nodiscard]] std::uint64_t registry_key() const noexcept { return registry_key_; }
  void set_registry_key(std::uint64_t key) noexcept { registry_key_ = key; }
  /// Gives a numbered process another number: only before the registry accepted it, while no
  /// one else can see it.
  using pid_target::renumber;
  [[nodiscard]] const pid& parent() const noexcept { return parent_; }
  /// A mark after every user message queued so far, and whether the process has since taken all
  /// of them out of its inbox (see engine::inbox_mark). @threadsafe
  [[nodiscard]] std::uint64_t inbox_mark() const noexcept {
    const bounded_inbox* b = bounded_queue();
    return b != nullptr ? b->accepted() : inbox_.producer_position();
  }
  [[nodiscard]] bool inbox_passed(std::uint64_t mark) const noexcept {
    const bounded_inbox* b = bounded_queue();
    return b != nullptr ? b->removed() >= mark : inbox_.consumed_through(mark);
  }
  [[nodiscard]] std::size_t inbox_depth() const noexcept {
    const bounded_inbox* b = bounded_queue();
    return b != nullptr ? b->size_approx() : inbox_.size_approx();
  }
  [[nodiscard]] std::uint64_t processed() const noexcept {
    return processed_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint32_t restarts() const noexcept {
    return restarts_.load(std::memory_order_relaxed);
  }

  /// Releases the scheduling bit of a process that will never run again (engine teardown).
  void release_schedule() noexcept;

  // -- the worker running it --------------------------------------------------------

  /// Runs one turn: system messages, then up to `throughput` user messages.
  run_result run(worker& w) noexcept;

  /// The first turn, on the thread that spawned it (not a worker): `initialized` and `started`.
  /// Returns whether the process is left idle with its scheduling bit released; otherwise the
  /// caller hands it to the scheduler for whatever remains (messages, a restart, a stop).
  bool start_on_spawner() noexcept;

  // -- actor-confined (through its context) -----------------------------------------

  [[nodiscard]] phase current_phase() const noexcept { return phase_; }
  [[nodiscard]] parent_policy policy_for_children() const noexcept {
    return {options().child_strategy, options().child_escalation};
  }

  /// Stops this process after the message being handled. @pre called from its own turn.
  void stop_from_inside(std::shared_ptr<completion_state> done);
  /// A signal for `stop_from_inside`: the one this thread's last self-stop left unfired because
  /// nobody kept it, or a new one. Worker-confined in effect (self-stops run on workers).
  static std::shared_ptr<completion_state> stop_signal();
  void add_child(const pid& child);
  [[nodiscard]] const std::vector<pid>& children() const noexcept;
  void add_timer(std::shared_ptr<timer_entry> t);
  std::uint64_t add_request(request_continuation then);
  void watch(const pid& target);
  void unwatch(const pid& target);

 private:
  struct extras;  // children, timers, requests, waiters, watchers: allocated on first use

  void schedule_after_push() noexcept;
  bool try_release() noexcept;
  [[nodiscard]] bool has_work() const noexcept;
  [[nodiscard]] bool user_empty() const noexcept;
  bool spin_until_work(worker& w) noexcept;

  /// The bounded inbox, or null when the actor has an unbounded one.
  [[nodiscard]] bounded_inbox* bounded_queue() const noexcept {
    return custom_ ? custom_->bounded.get() : nullptr;
  }

  template <class F>
  std::size_t consume_user(std::size_t max, F&& fn) noexcept {
    bounded_inbox* b = bounded_queue();
    return b != nullptr ? b->consume(max, fn) : inbox_.consume(max, fn);
  }

  bool handle(envelope& e) noexcept;
  /// Runs the receiver (through the middleware) on `e`; false, with crashed_ set, if it threw.
  bool receive(envelope& e) noexcept;
  bool invoke(envelope& e) noexcept;
  /// Delivers a fresh `Event` (initialized, started or stopped), built in place.
  template <class Event>
  void deliver_lifecycle() noexcept;
  void run_continuation(responder& r, envelope& e) noexcept;
  void start_instance() noexcept;
  void handle_system() noexcept;
  void on_crash() noexcept;
  /// Logs a restart decision (rate-limited; `delay` only for `actor_restart`).
  void log_crash(limited_event event, std::uint32_t restarts,
                 std::chrono::nanoseconds delay) noexcept;
  void schedule_restart(std::chrono::nanoseconds delay) noexcept;
  void force_restart() noexcept;
  [[nodiscard]] std::chrono::nanoseconds restart_delay(std::uint32_t restart) const noexcept;
  void begin_stop() noexcept;
  /// Files or completes a self-stop this turn left with the thread, before the turn ends.
  void settle_self_stop() noexcept;
  void drain_inbox() noexcept;
  void finalize() noexcept;
  void discard_instance() noexcept;
  void dead_letter(envelope& e, dead_letter_reason reason, std::string detail = {}) noexcept;
  extras& more();

  // The layout fits malloc's 192-byte chunk (with a 256-byte one an idle actor cost 64 bytes
  // more; tests/actor/footprint_test.cpp checks the size) and keeps the worker's per-message
  // fields off the cache lines senders use per message. A process starts 16-byte aligned, so
  // fields four 16-byte granules apart never share a line. Offsets in brackets:
  // - senders write the inbox's tail [136] and read the reference word [0] and `custom_` [128];
  // - the worker reads the lifecycle flags [50], `receiver_` [56] and the system inbox [64] and
  //   writes `processed_` [72] for every message.
  // With the lifecycle flags next to the tail, 4 senders -> 1 actor dropped from 36 M to 27 M
  // msgs/s, and as much with `processed_` on the reference word's line.

  // Owned by the worker running the process; they fill pid_target's tail padding.
  phase phase_ = phase::created;
  termination_reason termination_ = termination_reason::stopped;
  bool crashed_ : 1 = false;
  bool stop_requested_ : 1 = false;
  bool graceful_ : 1 = false;
  bool lifecycle_done_ : 1 = false;  // `stopped` was delivered to the current instance
  bool wrapped_ : 1 = false;         // the middleware's composed receive is in extras_
  const parent_policy parent_policy_;

  // The worker's per-message words; `processed_` is read by stats() on other threads, system
  // messages are pushed by any thread (rarely).
  std::unique_ptr<receiver> receiver_;
  system_queue system_;
  std::atomic<std::uint64_t> processed_{0};

  // Read by stats() on other threads.
  std::atomic<std::uint32_t> restarts_{0};
  std::uint16_t poll_gap_ = 0;  // cpu_relax() calls between looks while caught up (adaptive)

  // Owned by the worker running the process. The producer and the middleware are released at
  // termination, because what they capture may hold PIDs and must not live as long as the last
  // PID does. Rarely used state (children, timers, requests, crash bookkeeping, middleware) lives
  // in `extras_`.
  producer make_;
  std::unique_ptr<extras> extras_;
  // Immutable after construction, and kept until the process is freed: a numbered ID is written
  // out from the parent's (see pid_target).
  pid parent_;

  // Immutable after construction, read by any thread. The engine is reached through the kind.
  kind_record* kind_;                      // interned by the engine
  std::unique_ptr<customization> custom_;  // null: default options, unbounded inbox

  // Written by senders (the producer words) and by the worker once per batch.
  inbox_type inbox_;

  // Written by the registry when it registers the process (under its shard's lock, before the
  // process is scheduled), read back by the worker that deregisters it. Last, so that the
  // offsets above stay as measured; it fills the allocation's padding (184 bytes, a 192-byte
  // malloc chunk).
  std::uint64_t registry_key_ = 0;
};

/// Returns the process whose turn runs on this thread, or null outside actors.
process* current_process() noexcept;

}  // namespace hollywood::actor::detail
