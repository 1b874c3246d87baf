// SPDX-License-Identifier: MIT
#pragma once

// M:N scheduler: a fixed pool of worker threads runs processes whose scheduling bit a sender set.
//
// Where runnable processes wait, in the order a worker looks:
//   1. its `run_next` slot: the process most recently made runnable by an actor on this worker,
//      run right after the current turn on the same core (locality; ping-pong stays on one core);
//      a streak limit keeps two actors bouncing messages from starving the rest;
//   2. its local run queue (FIFO), which other workers steal from;
//   3. the global queue, for processes made runnable by threads that are not workers.
// An idle worker spins for `engine_config::spin`, then parks on a futex. Work submission wakes a
// parked worker only when no worker is spinning; a parking worker re-checks every queue after
// announcing itself idle, so no wake-up is lost (docs/threading.md).

#include <hollywood/actor/engine_config.hpp>
#include <hollywood/actor/stats.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>
#include <hollywood/thread_annotations.hpp>

#include "number_table.hpp"
#include "run_queue.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hollywood::actor::detail {

class process;
class scheduler;

/// `t` in nanoseconds since the steady clock's epoch: the time base of `idle_meter`.
[[nodiscard]] inline std::int64_t to_ns(std::chrono::steady_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// A worker's idle time: written by its worker when it starts and stops looking for work (rare
/// compared with messages: never per message), read by `engine::stats` on any thread. One word
/// holds everything a reader needs, so it takes no lock: while the worker is busy it holds the
/// idle total (>= 0); while idle, `total - start` (< 0, the steady clock is far past any idle
/// total), so idle time at `now` is `v >= 0 ? v : now + v`.
class idle_meter {
 public:
  /// @pre called by the worker, which is busy.
  void begin(std::int64_t now) noexcept {
    since_ = now;
    state_.store(total_ - now, std::memory_order_relaxed);  // relaxed: publishes only itself
  }
  /// @pre called by the worker, which is idle.
  void end(std::int64_t now) noexcept {
    total_ += now - since_;
    state_.store(total_, std::memory_order_relaxed);
  }
  /// Idle nanoseconds up to `now`. @threadsafe
  [[nodiscard]] std::int64_t idle_at(std::int64_t now) const noexcept {
    const std::int64_t v = state_.load(std::memory_order_relaxed);
    return v >= 0 ? v : now + v;
  }

 private:
  std::atomic<std::int64_t> state_{0};
  std::int64_t total_ = 0;  // the worker's own copy
  std::int64_t since_ = 0;
};

/// One worker thread and its queues. The run queue and the `run_next` slot are shared with
/// thieves; everything else is owned by the worker's thread.
struct worker {
  scheduler* owner = nullptr;
  std::size_t index = 0;
  run_queue local;
  /// The locality slot. The owner fills and empties it with exchanges; an idle worker may take
  /// its content away (CAS) when the owner has been stuck in one turn for a while, so a handler
  /// that blocks its worker cannot starve the actor waiting in the slot.
  std::atomic<process*> run_next{nullptr};
  /// Counts the owner's turns; a thief that sees it unchanged across its stall delay knows the
  /// owner is stuck in a long handler.
  std::atomic<std::uint64_t> turns{0};
  std::uint32_t run_next_streak = 0;
  /// Numbers this worker hands out from a block taken from an engine-wide counter, so actors that
  /// spawn or make requests do not all write one shared cache line (engine_impl::take_number).
  struct number_block {
    std::uint64_t next = 0;
    std::uint64_t end = 0;
  };
  struct number_blocks {
    number_table::run actor_ids;  // with the registry page its actors go in
    number_block request_ids;
  };
  number_blocks numbers;
  std::uint32_t ticks = 0;
  std::uint64_t rng = 0;
  std::atomic<std::uint32_t> parked{0};  // futex word: 1 while parked
  /// The CPU of the thread that last woke this worker, or -1: written by the waker before it
  /// clears `parked`, taken by the worker once it is awake (see scheduler::leave_waker_cpu).
  std::atomic<int> waker_cpu{-1};
  idle_meter idle;
  std::thread thread;
};

/// The worker running on this thread (any engine's), or null. Constant-initialized, so that the
/// inline read below is one TLS load: every send asks it.
extern constinit thread_local worker* tl_worker;

/// Returns the worker running on this thread (any engine's), or null.
inline worker* current_worker() noexcept {
  return tl_worker;
}

class scheduler {
 public:
  /// `on_idle` runs on a worker once the engine has had nothing to run for
  /// `config.return_memory_after` after some work (never with `memory_return::keep`), after the
  /// scheduler handed back its own queue blocks; it must not block on engine activity.
  scheduler(const engine_config& config, std::function<void()> on_idle);
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;
  ~scheduler();

  /// Starts the worker threads.
  void start();

  /// Stops and joins the workers, then releases every process still queued. @pre every process
  /// is dead (the engine shut down).
  void stop();

  /// Queues `p`, whose scheduling bit the caller just set (and so owns). @threadsafe
  void schedule(process* p) noexcept;

  /// Returns whether the calling thread is one of this scheduler's workers.
  [[nodiscard]] bool on_worker() const noexcept;

  /// Returns whether worker `w` has something other than its current process to run.
  [[nodiscard]] bool has_other_work(const worker& w) const noexcept;

  /// Called by a turn that is about to handle another message: the process waiting in `run_next`
  /// would wait behind it, so it moves to the local queue, where idle workers can steal it.
  void flush_run_next(worker& w) noexcept {
    if (w.run_next.load(std::memory_order_relaxed) == nullptr) return;
    if (process* p = w.run_next.exchange(nullptr, std::memory_order_acq_rel)) {
      push_local(w, p);
      notify_work();
    }
  }

  [[nodiscard]] std::size_t worker_count() const noexcept { return workers_.size(); }
  /// Worker `i`'s busy and idle time up to `now` (see to_ns). @threadsafe once started
  [[nodiscard]] worker_stats time_of(std::size_t i, std::int64_t now) const noexcept;
  [[nodiscard]] std::chrono::nanoseconds spin() const noexcept { return spin_; }
  /// engine_config::stream_poll as a number of `cpu_relax()` calls (measured at construction:
  /// a pause takes 10-140 cycles depending on the CPU).
  [[nodiscard]] std::uint32_t stream_poll_relaxes() const noexcept { return stream_poll_relaxes_; }
  [[nodiscard]] std::size_t throughput() const noexcept { return throughput_; }

 private:
  void run_worker(worker& w);
  process* next_local(worker& w) noexcept;
  /// Spins (from `start`, for the spin budget) looking for work in the other queues.
  process* find_work(worker& w, std::chrono::steady_clock::time_point start) noexcept;
  process* take_global(worker& w) noexcept;
  process* steal(worker& w) noexcept;
  bool any_work_visible(const worker& w) const noexcept;
  void push_local(worker& w, process* p) noexcept;
  void push_global(process* p) noexcept;
  void notify_work() noexcept;
  void wake_one() noexcept;
  /// Parks until woken; may return a process taken from a stalled worker's `run_next` slot.
  process* park(worker& w) noexcept;
  /// Moves a worker just woken on its waker's CPU to another one it may use.
  void leave_waker_cpu(worker& w) noexcept;
  bool leave_idle_list(worker& w) noexcept;
  /// Turns taken by all workers so far (relaxed: tells "some work since", nothing more).
  [[nodiscard]] std::uint64_t total_turns() const noexcept;
  /// Waits on `w.parked` for the idle delay; if the engine stayed idle, returns memory.
  /// Returns whether the worker left the idle list (it must look for work again).
  bool idle_then_return_memory(worker& w) noexcept;
  void drain_and_release() noexcept;

  std::int64_t started_ns_ = 0;  // written by start(), before the workers exist
  const std::size_t throughput_;
  const std::chrono::nanoseconds spin_;
  const worker_pinning pinning_;
  const std::uint32_t stream_poll_relaxes_;
  std::vector<std::unique_ptr<worker>> workers_;

  /// Whether the global queue looks non-empty (a hint; exact once nothing runs concurrently).
  [[nodiscard]] bool global_nonempty() const noexcept { return global_.size_approx() != 0; }

  // The global queue: lock-free for producers (non-worker senders, overflow, yields); its single
  // consumer side is taken by one worker at a time with a try-lock, so a worker never blocks on
  // it: if another worker is taking a batch, it looks elsewhere. Blocks of 255 (4 KB): each block
  // travels from the spawning thread to a worker and back, and with 31-slot blocks that traffic
  // (then through malloc) cost spawning from a plain thread 15% of its time.
  ringbuffer::mpsc_queue<process*, 255> global_;
  std::atomic<bool> global_consumer_{false};

  std::atomic<int> spinning_{0};
  std::atomic<int> idle_{0};
  std::mutex idle_mu_;
  std::vector<worker*> idle_list_ HOLLYWOOD_GUARDED_BY(idle_mu_);
  std::atomic<bool> stopping_{false};

  // Memory return (rarely used: after the hot fields above, so that they keep their lines).
  const std::function<void()> on_idle_;  // empty: memory_return::keep
  const std::chrono::milliseconds idle_delay_;
  // total_turns() when memory was last returned: equal now means no work since.
  std::atomic<std::uint64_t> turns_at_return_{0};
};

}  // namespace hollywood::actor::detail
