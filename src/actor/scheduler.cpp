// SPDX-License-Identifier: MIT
#include "scheduler.hpp"

#include <hollywood/cpu_relax.hpp>

#include "cpu_affinity.hpp"
#include "futex.hpp"
#include "process.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace hollywood::actor::detail {

namespace {

/// How long an idle worker spins with `pause` before it starts yielding between polls.
constexpr std::chrono::microseconds pure_spin{2};

/// Consecutive `run_next` turns before a worker serves its queue: keeps two actors that bounce
/// messages on one core from starving everything queued behind them.
constexpr std::uint32_t max_run_next_streak = 64;
/// A worker checks the global queue every this many turns even when it has local work, so work
/// injected from outside never waits behind a busy local queue.
constexpr std::uint32_t global_check_interval = 61;
/// How long a worker may sit in one turn before an idle worker takes the process waiting in its
/// `run_next` slot (and how often a parked worker looks while any slot is occupied). Long enough
/// that ping-pong on one core is never split up, short enough that a handler blocking its worker
/// delays that process by at most this much (plus a wake-up).
constexpr std::chrono::microseconds run_next_stall{200};
/// A parked worker's longest sleep while another worker is busy: the backstop that bounds how
/// long a process placed in a busy worker's `run_next` after we parked can wait.
constexpr std::chrono::milliseconds busy_peer_nap{10};

/// How many `cpu_relax()` calls take `d` on this CPU (0 for a zero duration). The fastest of a
/// few short samples: a sample the thread was preempted in would make the waits far too short.
std::uint32_t relaxes_in(std::chrono::nanoseconds d) noexcept {
  if (d.count() <= 0) return 0;
  constexpr int samples = 7;
  constexpr int relaxes_per_sample = 256;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (int s = 0; s < samples; ++s) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < relaxes_per_sample; ++i)
      cpu_relax();
    best = std::min<std::int64_t>(best, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
  }
  const std::int64_t per_relax = std::max<std::int64_t>(1, best / relaxes_per_sample);
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      d.count() / per_relax, 1, std::numeric_limits<std::uint16_t>::max()));
}

std::uint64_t xorshift(std::uint64_t& s) noexcept {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

}  // namespace

constinit thread_local worker* tl_worker = nullptr;

scheduler::scheduler(const engine_config& config, std::function<void()> on_idle)
    : throughput_(std::max<std::size_t>(1, config.throughput)),
      spin_(config.spin),
      pinning_(config.pinning),
      stream_poll_relaxes_(relaxes_in(config.stream_poll)),
      on_idle_(config.return_memory == memory_return::when_idle ? std::move(on_idle) : nullptr),
      idle_delay_(config.return_memory_after) {
  std::size_t n = config.workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto w = std::make_unique<worker>();
    w->owner = this;
    w->index = i;
    w->rng = 0x9E3779B97F4A7C15ull * (i + 1);
    workers_.push_back(std::move(w));
  }
}

scheduler::~scheduler() {
  stop();
}

void scheduler::start() {
  started_ns_ = to_ns(std::chrono::steady_clock::now());
  for (auto& w : workers_) {
    worker* self = w.get();
    w->thread = std::thread([this, self] { run_worker(*self); });
  }
}

void scheduler::stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& w : workers_) {
    w->parked.store(0, std::memory_order_release);  // pairs with park()'s acquire load
    futex_wake(w->parked);
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  drain_and_release();
}

void scheduler::drain_and_release() noexcept {
  for (auto& w : workers_) {
    if (process* p = w->run_next.exchange(nullptr, std::memory_order_acquire)) {
      p->release_schedule();
    }
    while (process* p = w->local.pop())
      p->release_schedule();
  }
  global_.consume(SIZE_MAX, [](process*& p) noexcept { p->release_schedule(); });
}

worker_stats scheduler::time_of(std::size_t i, std::int64_t now) const noexcept {
  const std::int64_t age = std::max<std::int64_t>(0, now - started_ns_);
  const std::int64_t idle = std::clamp<std::int64_t>(workers_[i]->idle.idle_at(now), 0, age);
  return {std::chrono::nanoseconds(age - idle), std::chrono::nanoseconds(idle)};
}

bool scheduler::on_worker() const noexcept {
  return tl_worker != nullptr && tl_worker->owner == this;
}

bool scheduler::has_other_work(const worker& w) const noexcept {
  return w.run_next.load(std::memory_order_relaxed) != nullptr || w.local.size_approx() != 0 ||
         global_nonempty();
}

// -- submission --------------------------------------------------------------------------

void scheduler::schedule(process* p) noexcept {
  worker* w = tl_worker;
  if (w != nullptr && w->owner == this) {
    // Locality: run it on this core right after the current turn. What it displaces goes to
    // the local queue, where idle workers can steal it.
    // Only the owner ever stores a process here (thieves only clear the slot), so an empty slot
    // can be filled with a plain release store (pairs with the thief's acquire CAS).
    if (w->run_next.load(std::memory_order_relaxed) == nullptr) {
      w->run_next.store(p, std::memory_order_release);
      return;
    }
    process* displaced = w->run_next.exchange(p, std::memory_order_acq_rel);
    if (displaced != nullptr) {
      push_local(*w, displaced);
      notify_work();
    }
    return;
  }
  push_global(p);
  notify_work();
}

void scheduler::push_local(worker& w, process* p) noexcept {
  if (w.local.push(p)) return;
  // Local queue full: move its older half (and p) to the global queue.
  for (std::int64_t i = 0; i < run_queue::capacity / 2; ++i) {
    process* q = w.local.steal();
    if (q == nullptr) break;
    push_global(q);
  }
  push_global(p);
}

void scheduler::push_global(process* p) noexcept {
  // Never full or closed; allocates a block every 255 pushes at most.
  (void)global_.try_push(p);
}

void scheduler::notify_work() noexcept {
  // Pairs with the fence in park(): either the parking worker sees the new work in its re-check,
  // or this thread sees it registered as idle (see docs/threading.md, "parking").
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Acquire pairs with the release decrement in park(): seeing "no spinner" implies seeing the
  // idle registration that preceded it.
  if (spinning_.load(std::memory_order_acquire) != 0) return;
  if (idle_.load(std::memory_order_relaxed) == 0) return;
  wake_one();
}

void scheduler::wake_one() noexcept {
  worker* w = nullptr;
  {
    std::lock_guard lock(idle_mu_);
    if (idle_list_.empty()) return;
    w = idle_list_.back();
    idle_list_.pop_back();
    idle_.fetch_sub(1, std::memory_order_relaxed);
  }
  // Relaxed: published by the release store below.
  w->waker_cpu.store(current_cpu(), std::memory_order_relaxed);
  w->parked.store(0, std::memory_order_release);  // pairs with park()'s acquire load
  futex_wake(w->parked, 1);
}

void scheduler::leave_waker_cpu(worker& w) noexcept {
  // Relaxed: the acquire load of `parked` that ended the sleep ordered the waker's store.
  const int cpu = w.waker_cpu.load(std::memory_order_relaxed);
  if (cpu < 0) return;
  w.waker_cpu.store(-1, std::memory_order_relaxed);
  // The kernel often wakes a thread on its waker's CPU, expecting the waker to sleep next. A
  // waker that keeps running (a plain thread sending or waiting for a reply, a busy worker) then
  // shares one CPU with this worker, each running only when the other is preempted, while other
  // CPUs idle: a blocking request measured 2-5 us instead of 0.6 us until the kernel's balancer
  // separated them, ~20 ms later. Moving off once makes the wake-up land where the work can run.
  leave_cpu_if_on(cpu);
}

// -- the worker loop ---------------------------------------------------------------------

void scheduler::run_worker(worker& w) {
  tl_worker = &w;
  if (pinning_ == worker_pinning::per_core) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<int>(w.index % std::max(1u, std::thread::hardware_concurrency())), &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  while (!stopping_.load(std::memory_order_acquire)) {
    process* p = next_local(w);
    if (p == nullptr) {
      const auto idle_from = std::chrono::steady_clock::now();
      w.idle.begin(to_ns(idle_from));
      p = find_work(w, idle_from);
      if (p == nullptr) {
        p = park(w);
        leave_waker_cpu(w);
      }
      w.idle.end(to_ns(std::chrono::steady_clock::now()));
    }
    if (p == nullptr) continue;
    w.turns.store(w.turns.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    // A process that used up its turn goes to the back of the global queue: the local queue is
    // newest-first, so pushing it there would run it again at once.
    if (p->run(w) == run_result::yield) {
      push_global(p);
      notify_work();
    }
  }
  tl_worker = nullptr;
}

process* scheduler::next_local(worker& w) noexcept {
  ++w.ticks;
  if (w.ticks % global_check_interval == 0 && global_nonempty()) {
    if (process* p = take_global(w)) return p;
  }
  if (w.run_next.load(std::memory_order_relaxed) != nullptr) {
    // Exchange, not a plain load: a thief may take the slot's content at any moment.
    if (process* p = w.run_next.exchange(nullptr, std::memory_order_acq_rel)) {
      if (w.run_next_streak < max_run_next_streak ||
          (w.local.size_approx() == 0 && !global_nonempty())) {
        ++w.run_next_streak;
        return p;
      }
      push_global(p);  // behind everything else, for fairness
      notify_work();
    }
  }
  w.run_next_streak = 0;
  if (process* p = w.local.pop()) return p;
  if (global_nonempty()) return take_global(w);
  return nullptr;
}

process* scheduler::take_global(worker& w) noexcept {
  // One worker at a time consumes; the others look elsewhere instead of waiting.
  if (global_consumer_.exchange(true, std::memory_order_acquire)) return nullptr;
  // Take a batch proportional to our share, run the first, keep the rest locally.
  const std::size_t share =
      std::clamp<std::size_t>(global_.size_approx() / workers_.size(), 1, run_queue::capacity / 2);
  process* first = nullptr;
  global_.consume(share, [&](process*& p) noexcept {
    if (first == nullptr) {
      first = p;
    } else if (!w.local.push(p)) {
      (void)global_.try_push(p);  // no room locally after all: back to the end of the line
    }
  });
  global_consumer_.store(false, std::memory_order_release);  // pairs with the acquire above
  return first;
}

process* scheduler::steal(worker& w) noexcept {
  const std::size_t n = workers_.size();
  if (n < 2) return nullptr;
  const std::size_t start = xorshift(w.rng) % n;
  for (std::size_t i = 0; i < n; ++i) {
    worker& victim = *workers_[(start + i) % n];
    if (&victim == &w) continue;
    if (process* p = victim.local.steal()) return p;
  }
  return nullptr;
}

bool scheduler::any_work_visible(const worker& w) const noexcept {
  if (global_nonempty()) return true;
  for (const auto& other : workers_) {
    if (other.get() != &w && other->local.size_approx() != 0) return true;
  }
  return false;
}

process* scheduler::find_work(worker& w, std::chrono::steady_clock::time_point start) noexcept {
  spinning_.fetch_add(1, std::memory_order_acq_rel);
  process* found = nullptr;
  for (unsigned i = 0; !stopping_.load(std::memory_order_relaxed); ++i) {
    if (global_nonempty()) found = take_global(w);
    if (found == nullptr) found = steal(w);
    if (found != nullptr) break;
    const auto spun = std::chrono::steady_clock::now() - start;
    if (spin_.count() <= 0 || spun >= spin_) break;
    if (spun < pure_spin) {
      for (int k = 0; k < 32; ++k)
        cpu_relax();
    } else {
      // Past the first microseconds, give the core to any other runnable thread between polls
      // (an I/O thread, a sender): on a machine with more busy threads than cores, burning the
      // slice would delay the very work this worker waits for.
      std::this_thread::yield();
    }
  }
  // Release pairs with notify_work()'s acquire load (see park() for why the order matters).
  spinning_.fetch_sub(1, std::memory_order_release);
  return found;
}

process* scheduler::park(worker& w) noexcept {
  for (;;) {
    w.parked.store(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(idle_mu_);
      idle_list_.push_back(&w);
      idle_.fetch_add(1, std::memory_order_relaxed);
    }
    // Pairs with the fence in notify_work(): a submitter that missed our idle registration
    // published its work before that fence, so this re-check sees it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (any_work_visible(w) || stopping_.load(std::memory_order_acquire)) {
      if (leave_idle_list(w)) return nullptr;
    } else {
      // An actor waiting in another worker's `run_next` slot is only safe if that worker gets
      // back to it: nap instead of sleeping for good, then take it if its owner made no progress.
      struct sample {
        worker* victim;
        process* waiting;
        std::uint64_t turns;
      };
      sample seen[8];
      std::size_t n = 0;
      for (const auto& other : workers_) {
        if (other.get() == &w || n == std::size(seen)) continue;
        if (process* p = other->run_next.load(std::memory_order_acquire)) {
          seen[n++] = {other.get(), p, other->turns.load(std::memory_order_relaxed)};
        }
      }
      bool peer_busy = false;
      for (const auto& other : workers_) {
        if (other.get() != &w && other->parked.load(std::memory_order_relaxed) == 0) {
          peer_busy = true;
        }
      }
      if (n == 0 && !peer_busy) {
        // The whole engine is idle: sleep until woken, after returning memory if that is due.
        if (idle_then_return_memory(w)) return nullptr;
        // Acquire pairs with the release store in wake_one()/stop().
        while (w.parked.load(std::memory_order_acquire) == 1)
          futex_wait(w.parked, 1);
        return nullptr;
      }
      // Another worker is busy: it may yet put something in its `run_next` slot and then stay
      // in a long handler, so never sleep for good while it works.
      futex_wait(w.parked, 1, n != 0 ? std::chrono::nanoseconds(run_next_stall) : busy_peer_nap);
      if (!leave_idle_list(w)) {
        while (w.parked.load(std::memory_order_acquire) == 1)
          futex_wait(w.parked, 1);
        return nullptr;  // woken for new work
      }
      for (std::size_t i = 0; i < n; ++i) {
        worker& v = *seen[i].victim;
        if (v.turns.load(std::memory_order_relaxed) != seen[i].turns) continue;
        process* expected = seen[i].waiting;
        // Acquire pairs with the owner's release exchange that put it there.
        if (v.run_next.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) {
          return seen[i].waiting;
        }
      }
      if (stopping_.load(std::memory_order_acquire)) return nullptr;
      continue;  // nothing stuck: nap again without spinning
    }
    // Someone is waking us already; wait for their store.
    while (w.parked.load(std::memory_order_acquire) == 1)
      futex_wait(w.parked, 1);
    return nullptr;
  }
}

std::uint64_t scheduler::total_turns() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& w : workers_)
    sum += w->turns.load(std::memory_order_relaxed);
  return sum;
}

bool scheduler::idle_then_return_memory(worker& w) noexcept {
  const std::uint64_t turns = total_turns();
  std::uint64_t returned_at = turns_at_return_.load(std::memory_order_relaxed);
  if (!on_idle_ || turns == returned_at) return false;  // no work since the last return
  // A timed sleep instead of one for good: a burst's lulls end well within the delay (each
  // resumes with a wake-up that clears `parked`), a real idle period outlasts it.
  futex_wait(w.parked, 1, std::chrono::nanoseconds(idle_delay_));
  if (!leave_idle_list(w)) return false;  // a waker popped us: wait for its store
  // Off the idle list, so new work wakes another worker (or is found by this one right after)
  // instead of waiting behind the hand-back. Return memory only if no worker ran anything during
  // the whole delay, and only once per idle period (the other workers may time out too).
  if (total_turns() == turns && !any_work_visible(w) &&
      !stopping_.load(std::memory_order_acquire) &&
      turns_at_return_.compare_exchange_strong(returned_at, turns, std::memory_order_relaxed)) {
    (void)decltype(global_)::hand_back_returned();
    on_idle_();
  }
  return true;  // look for work, then park again (for good, if nothing ran meanwhile)
}

bool scheduler::leave_idle_list(worker& w) noexcept {
  std::lock_guard lock(idle_mu_);
  auto it = std::find(idle_list_.begin(), idle_list_.end(), &w);
  if (it == idle_list_.end()) return false;  // a waker popped us and will clear `parked`
  idle_list_.erase(it);
  idle_.fetch_sub(1, std::memory_order_relaxed);
  w.parked.store(0, std::memory_order_relaxed);
  return true;
}

}  // namespace hollywood::actor::detail
