// SPDX-License-Identifier: MIT
#include "process.hpp"

#include <hollywood/actor/events.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/cpu_relax.hpp>

#include "engine_impl.hpp"
#include "failure.hpp"
#include "log.hpp"
#include "process_heap.hpp"
#include "responder.hpp"
#include "scheduler.hpp"
#include "timer_service.hpp"

#include <algorithm>
#include <chrono>

namespace hollywood::actor::detail {

namespace {

thread_local process* tl_current = nullptr;

/// Makes a process current on this thread for the duration of a turn.
class current_scope {
 public:
  explicit current_scope(process* p) noexcept : previous_(std::exchange(tl_current, p)) {}
  current_scope(const current_scope&) = delete;
  current_scope& operator=(const current_scope&) = delete;
  ~current_scope() { tl_current = previous_; }

 private:
  process* previous_;
};

/// The completion of an actor's stop of itself, held by the thread running it until the turn
/// either terminates the actor (and completes it, or keeps it unfired for reuse when no
/// completion refers to it) or ends (and files it with the other waiters). Most actors that stop
/// themselves terminate in that same turn, so they never allocate the extras a waiter list lives
/// in (skynet: 9% faster in an A/B).
struct self_stop_slot {
  const process* owner = nullptr;
  std::shared_ptr<completion_state> done;
  // A signal nobody kept (the caller dropped its completion, as most do), never fired: the next
  // self-stop on this thread takes it instead of allocating one.
  std::shared_ptr<completion_state> spare;
};
thread_local self_stop_slot tl_self_stop;

system_message* make_system(system_kind kind, pid subject = {}, std::uint64_t generation = 0) {
  return new system_message{nullptr, kind, std::move(subject), {}, generation};
}

/// Sends a system message to `target` if it is a live local process.
void notify(const pid& target, system_kind kind, pid subject) {
  if (!target || target.target()->kind() != target_kind::process) return;
  auto* m = make_system(kind, std::move(subject));
  if (!static_cast<process*>(target.target())->deliver_system(m)) delete m;
}

}  // namespace

process* current_process() noexcept {
  return tl_current;
}

struct process::extras {
  std::string crash_reason;  // "type: what()" of the last crash
  std::uint64_t crash_generation = 0;
  std::chrono::steady_clock::time_point last_crash{};
  receive_fn composed;  // receive wrapped in the middleware
  std::vector<pid> children;
  std::vector<std::shared_ptr<timer_entry>> timers;
  struct pending_request {
    std::uint64_t id;
    request_continuation then;
  };
  std::vector<pending_request> requests;
  std::uint64_t last_request_id = 0;
  std::vector<std::shared_ptr<completion_state>> waiters;
  std::vector<pid> watchers;  // who gets `terminated` when this process is gone
  std::vector<pid> watching;  // whose `terminated` this process still wants
};

const spawn_options& default_spawn_options() noexcept {
  static const spawn_options defaults;
  return defaults;
}

process::process(const std::string* address, std::string&& id, std::uint64_t number,
                 producer&& make, kind_record* kind, std::unique_ptr<customization>&& custom,
                 pid&& parent, parent_policy policy)
    : pid_target(target_kind::process, address, std::move(id),
                 numbered_id{number, &kind->name, parent.target()}),
      parent_policy_(policy),
      make_(std::move(make)),
      parent_(std::move(parent)),
      kind_(kind),
      custom_(std::move(custom)) {
  if (custom_ && custom_->options.inbox_capacity > 0) {
    custom_->bounded =
        std::make_unique<bounded_inbox>(custom_->options.inbox_capacity, custom_->options.overflow);
  }
  // Born scheduled (the first turn delivers `initialized` and `started`) and with two references:
  // the spawner's PID and the one registry::insert adopts, which saves an atomic add per spawn.
  ctl_.store(2 * 2 + 1, std::memory_order_relaxed);
}

process::~process() = default;

static_assert(sizeof(process) <= process_heap::slot_bytes);

void* process::operator new(std::size_t size) {
  return process_heap::slots().allocate(size);  // always sizeof(process): the class is final
}

void process::operator delete(void* slot) noexcept {
  process_heap::slots().deallocate(slot);
}

process::extras& process::more() {
  if (!extras_) extras_ = std::make_unique<extras>();
  return *extras_;
}

// -- any thread ------------------------------------------------------------------------

void process::schedule_after_push() noexcept {
  // seq_cst load: with the seq_cst RMW of the push it forms one half of the Dekker pair whose
  // other half is try_release() (clear the bit, then look at the inboxes).
  if ((ctl_.load(std::memory_order_seq_cst) & 1) != 0) return;
  if ((ctl_.fetch_or(1, std::memory_order_acq_rel) & 1) != 0) return;
  engine().sched().schedule(this);
}

bounded_inbox::push_outcome process::push_bounded(message& m, const pid& sender,
                                                  std::optional<envelope>& evicted) noexcept {
  const auto outcome = custom_->bounded->push(m, sender, evicted);
  if (outcome == bounded_inbox::push_outcome::ok) schedule_after_push();
  return outcome;
}

bool process::deliver_system(system_message* m) noexcept {
  if (!system_.push(m)) return false;
  schedule_after_push();
  return true;
}

void process::release_schedule() noexcept {
  // The scheduling bit is the last claim on a dead process once every PID is gone.
  if (ctl_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
}

// -- the turn ----------------------------------------------------------------------------

run_result process::run(worker& w) noexcept {
  current_scope scope(this);
  scheduler& sched = engine().sched();
  std::size_t budget = sched.throughput();
  // Whether this turn handled user messages, and so may have senders worth waiting for.
  bool took_messages = false;
  for (;;) {
    if (!system_.empty()) handle_system();
    if (phase_ == phase::created) {
      start_instance();
      if (stop_requested_ && phase_ == phase::running) begin_stop();  // before any user message
      if (phase_ == phase::created) {
        // It crashed while starting and restarts without delay: start the new instance in a
        // later turn, behind whatever else is runnable (a crash loop must not hold the worker).
        settle_self_stop();
        return run_result::yield;
      }
    }
    if (phase_ == phase::running) {
      std::size_t allowed = budget;
      bounded_inbox* const box = bounded_queue();
      if (box != nullptr && box->poison_mark != UINT64_MAX) {
        // A graceful stop of a bounded inbox: handle exactly what was accepted before it.
        const std::uint64_t removed = box->removed();
        if (removed >= box->poison_mark) {
          stop_requested_ = true;
          graceful_ = true;
          allowed = 0;
        } else {
          allowed = std::min<std::uint64_t>(allowed, box->poison_mark - removed);
        }
      }
      const std::size_t n =
          allowed == 0 ? 0 : consume_user(allowed, [this, &w, &sched](envelope& e) noexcept {
            sched.flush_run_next(w);  // never keep a runnable process waiting behind this one
            return handle(e);
          });
      budget -= std::min(budget, n);
      took_messages = took_messages || n != 0;
      if (box != nullptr && box->poison_mark != UINT64_MAX && box->removed() >= box->poison_mark) {
        stop_requested_ = true;
        graceful_ = true;
      }
      if (crashed_) on_crash();
      if (stop_requested_ && phase_ != phase::stopping && phase_ != phase::dead) begin_stop();
      if (phase_ == phase::running && budget == 0) {
        if (sched.has_other_work(w)) {
          settle_self_stop();
          return run_result::yield;
        }
        budget = sched.throughput();
        continue;
      }
    }
    if (phase_ == phase::dead) {
      settle_self_stop();
      release_schedule();
      return run_result::released;
    }
    if (has_work()) continue;
    // Waiting only pays for an actor that has senders: one that just started, or handled only
    // system messages, would hold its worker (which then does not count as spinning, so every
    // spawn from outside would wake a parked worker) for nothing.
    if (phase_ == phase::running && took_messages && spin_until_work(w)) continue;
    settle_self_stop();
    if (try_release()) return run_result::released;
  }
}

bool process::start_on_spawner() noexcept {
  current_scope scope(this);
  if (!system_.empty()) return false;
  start_instance();
  settle_self_stop();
  if (phase_ != phase::running || stop_requested_ || has_work()) return false;
  return try_release();
}

bool process::user_empty() const noexcept {
  const bounded_inbox* box = bounded_queue();
  return box != nullptr ? box->empty() : inbox_.empty();
}

bool process::has_work() const noexcept {
  if (!system_.empty()) return true;
  return (phase_ == phase::running || phase_ == phase::created) && !user_empty();
}

bool process::spin_until_work(worker& w) noexcept {
  // An actor that caught up with its senders keeps its worker for the spin budget instead of
  // going idle: while it holds the scheduling bit, senders push without scheduling anything.
  // Only worth it when the worker has nothing else to run.
  scheduler& sched = engine().sched();
  const auto budget = sched.spin();
  if (budget.count() <= 0 || sched.has_other_work(w)) return false;
  const auto start = std::chrono::steady_clock::now();
  // Between looks, wait `poll_gap_` pauses (engine_config::stream_poll): work found within two
  // looks means senders stream to this actor, and a longer wait lets them fill more slots per
  // cache-line transfer; work found later means it waits for sparse messages (a reply, say),
  // and every pause of waiting would be latency.
  const std::uint32_t gap = poll_gap_;
  for (unsigned i = 1;; ++i) {
    for (std::uint32_t k = 0; k < gap; ++k)
      cpu_relax();
    if (has_work()) {
      if (i <= 2) {
        poll_gap_ = static_cast<std::uint16_t>(
            std::min<std::uint32_t>(gap == 0 ? 1 : 2 * gap, sched.stream_poll_relaxes()));
      } else if (i > 4) {
        poll_gap_ = static_cast<std::uint16_t>(gap / 2);
      }
      return true;
    }
    cpu_relax();
    if ((i & 7) == 0 || gap >= 8) {
      if (sched.has_other_work(w)) return false;
      if (std::chrono::steady_clock::now() - start >= budget) return false;
    }
  }
}

bool process::try_release() noexcept {
  // Snapshot what the re-check needs while this worker still owns the process: once the bit is
  // clear another worker may run it, so afterwards only atomics may be read.
  const bool takes_user_messages = phase_ == phase::running;
  std::uint64_t position = 0;
  const bounded_inbox* const box = bounded_queue();
  if (box != nullptr) {
    position = box->consumer_position();
  } else {
    if (takes_user_messages) inbox_.release_storage();  // an idle actor keeps no inbox block
    position = inbox_.consumer_position();
  }
  // Turn the scheduling bit into a temporary reference in one step (bit 0 set, +1 carries into
  // the count), so the re-check cannot race with the last reference being dropped elsewhere.
  // seq_cst RMW, then seq_cst loads: the worker's half of the Dekker pair with
  // schedule_after_push().
  ctl_.fetch_add(1, std::memory_order_seq_cst);
  const bool user_work = takes_user_messages && (box != nullptr ? box->pushed_since(position)
                                                                : inbox_.pushed_since(position));
  const bool work = !system_.empty() || user_work;
  if (work && (ctl_.fetch_or(1, std::memory_order_acq_rel) & 1) == 0) {
    ctl_.fetch_sub(2, std::memory_order_relaxed);  // the bit now keeps it alive
    return false;                                  // ours again: keep running
  }
  release();  // the temporary reference; may be the last one
  return true;
}

// -- handling messages -------------------------------------------------------------------

bool process::handle(envelope& e) noexcept {
  if (auto* pill = e.msg.get_if<poison_pill>()) {
    if (pill->done) more().waiters.push_back(std::move(pill->done));
    stop_requested_ = true;
    graceful_ = true;
    return false;
  }
  if (e.sender && e.sender.target()->kind() == target_kind::responder) [[unlikely]] {
    // The answer to one of this actor's own requests: its continuation runs instead of receive.
    auto* r = static_cast<responder*>(e.sender.target());
    if (r->requester_is(this)) {
      run_continuation(*r, e);
      return !crashed_;
    }
  }
  if (auto* t = e.msg.get_if<terminated>(); t != nullptr && e.sender == t->actor) {
    // A death notice (sent by, or on behalf of, the dead actor; a `terminated` value passed on
    // by someone else is ordinary data). After unwatch, or a repeated notice, the actor asked
    // not to hear about it any more.
    if (!extras_) return true;
    auto& w = extras_->watching;
    auto it = std::find(w.begin(), w.end(), t->actor);
    if (it == w.end()) return true;
    w.erase(it);
  }
  if (!invoke(e)) return false;
  processed_.store(processed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  // A pending system message (stop, above all) takes effect after the current message, not after
  // the batch. One relaxed load of a word senders rarely write.
  return !stop_requested_ && system_.empty_relaxed();
}

bool process::receive(envelope& e) noexcept {
  context ctx(*this, e);
  try {
    if (wrapped_) {
      extras_->composed(ctx);
    } else {
      receiver_->receive(ctx);
    }
    return true;
  } catch (...) {
    more().crash_reason = describe_current_exception();
  }
  crashed_ = true;
  return false;
}

bool process::invoke(envelope& e) noexcept {
  if (receive(e)) return true;
  // The failing message is not redelivered: it becomes a dead letter carrying the reason.
  if (!e.msg.empty()) dead_letter(e, dead_letter_reason::crashed, more().crash_reason);
  return false;
}

template <class Event>
void process::deliver_lifecycle() noexcept {
  envelope e(std::in_place, Event{});  // empty, so it fits the message's buffer: no allocation
  (void)receive(e);                    // a crash is recorded in crashed_, which the caller checks
}

void process::run_continuation(responder& r, envelope& e) noexcept {
  request_continuation then;
  if (extras_) {
    auto& reqs = extras_->requests;
    auto it = std::find_if(reqs.begin(), reqs.end(),
                           [&](const auto& q) { return q.id == r.request_id(); });
    if (it != reqs.end()) {
      then = std::move(it->then);
      reqs.erase(it);
    }
  }
  if (!then) return;
  expected<message> result = e.msg.is<request_failed>()
                                 ? expected<message>(unexpected(e.msg.get<request_failed>().why))
                                 : expected<message>(std::move(e.msg));
  // The continuation runs like a receive: the current sender is whoever responded.
  envelope view(message{}, r.take_answerer());
  context ctx(*this, view);
  try {
    then(ctx, std::move(result));
  } catch (...) {
    more().crash_reason = describe_current_exception();
    crashed_ = true;
  }
}

// -- lifecycle ---------------------------------------------------------------------------

void process::start_instance() noexcept {
  crashed_ = false;
  lifecycle_done_ = false;
  try {
    receiver_ = make_();
  } catch (...) {
    more().crash_reason = describe_current_exception();
    crashed_ = true;
  }
  if (!crashed_ && !receiver_) {
    more().crash_reason = "producer returned no receiver";
    crashed_ = true;
  }
  // Middleware comes with custom options only: most first turns need not look at the defaults.
  if (!crashed_ && custom_ && !custom_->options.middleware.empty()) {
    receive_fn fn = [r = receiver_.get()](context& ctx) { r->receive(ctx); };
    const auto& chain = custom_->options.middleware;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      fn = (*it)(std::move(fn));
    more().composed = std::move(fn);
    wrapped_ = true;
  }
  phase_ = phase::running;
  if (!crashed_) {
    deliver_lifecycle<initialized>();
    if (!crashed_ && engine().has_subscribers()) {
      engine().publish_event(actor_initialized_event{pid(this)});
    }
  }
  if (!crashed_) {
    deliver_lifecycle<started>();
    if (!crashed_ && engine().has_subscribers())
      engine().publish_event(actor_started_event{pid(this)});
  }
  if (crashed_) on_crash();
}

void process::discard_instance() noexcept {
  if (receiver_ && !lifecycle_done_) {
    lifecycle_done_ = true;
    deliver_lifecycle<stopped>();  // a throw from `stopped` changes nothing now
  }
  wrapped_ = false;
  if (extras_) extras_->composed = nullptr;
  receiver_.reset();
}

std::chrono::nanoseconds process::restart_delay(std::uint32_t restart) const noexcept {
  const std::chrono::nanoseconds base = options().restart_delay;
  if (options().backoff == restart_backoff::fixed || restart <= 1) return base;
  std::chrono::nanoseconds delay = base;
  const std::chrono::nanoseconds cap = options().max_restart_delay;
  for (std::uint32_t i = 1; i < restart && delay < cap; ++i)
    delay *= 2;
  return std::min(delay, cap);
}

void process::on_crash() noexcept {
  crashed_ = false;
  // The broken instance still gets `stopped` (once) to release what it holds.
  discard_instance();
  crashed_ = false;
  const auto now = std::chrono::steady_clock::now();
  if (options().restart_window.count() > 0 &&
      more().last_crash != std::chrono::steady_clock::time_point{} &&
      now - more().last_crash > options().restart_window) {
    restarts_.store(0, std::memory_order_relaxed);  // a quiet period: start counting afresh
  }
  more().last_crash = now;
  const std::uint32_t restarts = restarts_.load(std::memory_order_relaxed);
  if (restarts >= options().max_restarts) {
    engine().count_max_restarts_exceeded();
    kind_->max_restarts_exceeded.fetch_add(1, std::memory_order_relaxed);
    log_crash(limited_event::actor_max_restarts_exceeded, restarts, std::chrono::nanoseconds{0});
    engine().publish_event(
        actor_max_restarts_exceeded_event{pid(this), restarts, more().crash_reason});
    if (parent_ && parent_policy_.on_failure == escalation::notify_parent) {
      engine().send(parent_, message(child_failed{pid(this), more().crash_reason}), pid(this));
    }
    termination_ = termination_reason::crashed;
    stop_requested_ = true;
    graceful_ = false;
    begin_stop();  // whatever is still queued becomes dead letters
    return;
  }
  restarts_.store(restarts + 1, std::memory_order_relaxed);
  kind_->restarts.fetch_add(1, std::memory_order_relaxed);
  const std::chrono::nanoseconds delay = restart_delay(restarts + 1);
  log_crash(limited_event::actor_restart, restarts + 1, delay);
  if (parent_ && parent_policy_.strategy == supervision_strategy::all_for_one) {
    notify(parent_, system_kind::child_crashed, pid(this));
  }
  schedule_restart(delay);
}

void process::log_crash(limited_event event, std::uint32_t restarts,
                        std::chrono::nanoseconds delay) noexcept {
  if (!engine().event_log().admit(event)) return;
  try {
    const std::string self = pid(this).to_string();
    const std::string count = std::to_string(restarts);
    const std::string limit = std::to_string(options().max_restarts);
    const std::string delay_ms =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    const std::string& reason = more().crash_reason;
    if (event == limited_event::actor_restart) {
      limited_log::write(event, {{"actor", self},
                                 {"kind", kind()},
                                 {"restart", count},
                                 {"max_restarts", limit},
                                 {"delay_ms", delay_ms},
                                 {"reason", reason}});
    } else {
      limited_log::write(
          event, {{"actor", self}, {"kind", kind()}, {"restarts", count}, {"reason", reason}});
    }
  } catch (...) {
    // Out of memory while formatting: the crash is still counted and published.
  }
}

void process::schedule_restart(std::chrono::nanoseconds delay) noexcept {
  const std::uint64_t generation = ++more().crash_generation;
  if (delay.count() <= 0) {
    phase_ = phase::created;
    engine().publish_event(actor_restarted_event{
        pid(this), restarts_.load(std::memory_order_relaxed), more().crash_reason});
    return;
  }
  // Messages keep queueing in the inbox meanwhile (the crash buffer); the restart message
  // arrives through the system inbox, which a suspended process still reads.
  phase_ = phase::suspended;
  engine().schedule_timer(
      [self = pid(this), generation] {
        auto* m = make_system(system_kind::restart, {}, generation);
        if (!static_cast<process*>(self.target())->deliver_system(m)) delete m;
      },
      delay, std::chrono::nanoseconds{0});
}

void process::force_restart() noexcept {
  // all_for_one: a sibling crashed. Only a running instance is replaced; one that is already
  // restarting (or stopping) is left alone, and the restart does not count against the limit.
  if (phase_ != phase::running) return;
  discard_instance();
  ++more().crash_generation;  // a pending delayed restart of an earlier crash is now moot
  phase_ = phase::created;
  kind_->restarts.fetch_add(1, std::memory_order_relaxed);
  engine().publish_event(actor_restarted_event{pid(this), restarts_.load(std::memory_order_relaxed),
                                               "sibling crashed (all_for_one)"});
}

void process::handle_system() noexcept {
  system_message* m = system_.take_all();
  while (m != nullptr) {
    system_message* next = m->next;
    switch (m->kind) {
      case system_kind::stop:
        if (m->done) more().waiters.push_back(std::move(m->done));
        stop_requested_ = true;
        graceful_ = false;
        break;
      case system_kind::child_terminated:
        if (extras_) {
          auto& kids = extras_->children;
          // By target: a child is always this engine's process, and comparing PIDs would write
          // out the siblings' numbered IDs.
          auto it = std::find_if(kids.begin(), kids.end(),
                                 [&](const pid& k) { return k.target() == m->subject.target(); });
          if (it != kids.end()) {
            kids.erase(it);
          }
        }
        break;
      case system_kind::restart:
        if (phase_ == phase::suspended && m->generation == more().crash_generation) {
          phase_ = phase::created;
          engine().publish_event(actor_restarted_event{
              pid(this), restarts_.load(std::memory_order_relaxed), more().crash_reason});
        }
        break;
      case system_kind::restart_now:
        force_restart();
        break;
      case system_kind::child_crashed:
        if (extras_ && options().child_strategy == supervision_strategy::all_for_one &&
            phase_ != phase::stopping && phase_ != phase::dead) {
          for (const pid& child : extras_->children) {
            if (child.target() != m->subject.target()) notify(child, system_kind::restart_now, {});
          }
        }
        break;
      case system_kind::watch:
        if (auto& w = more().watchers; std::find(w.begin(), w.end(), m->subject) == w.end()) {
          w.push_back(m->subject);
        }
        break;
      case system_kind::unwatch:
        if (extras_) std::erase(extras_->watchers, m->subject);
        break;
      case system_kind::watch_target:
        watch(m->subject);
        break;
      case system_kind::unwatch_target:
        unwatch(m->subject);
        break;
      case system_kind::poison_at: {
        if (m->done) more().waiters.push_back(std::move(m->done));
        bounded_inbox& box = *custom_->bounded;  // poison_at goes only to bounded inboxes
        box.poison_mark = std::min(box.poison_mark, m->generation);
        if (box.removed() >= box.poison_mark) {
          stop_requested_ = true;
          graceful_ = true;
        }
        break;
      }
    }
    delete m;
    m = next;
  }
  // A stop that arrives before the first turn waits for the instance to exist (see run()), so
  // every spawned actor's instance gets its whole lifecycle, `stopped` included.
  if (stop_requested_ && phase_ != phase::created && phase_ != phase::stopping &&
      phase_ != phase::dead) {
    begin_stop();
  }
  if (phase_ == phase::stopping && children().empty()) finalize();
}

void process::begin_stop() noexcept {
  std::shared_ptr<completion_state> self_stop;
  if (tl_self_stop.owner == this) {
    tl_self_stop.owner = nullptr;
    self_stop = std::move(tl_self_stop.done);
  }
  phase_ = phase::stopping;
  if (extras_) {
    for (auto& t : extras_->timers)
      t->stop();
    extras_->timers.clear();
  }
  if (bounded_inbox* box = bounded_queue(); box != nullptr) {
    box->close();
  } else {
    inbox_.close();
  }
  drain_inbox();
  // Stopping waits until every child has left the list (child_terminated).
  const auto mode = graceful_ ? stop_mode::graceful : stop_mode::immediate;
  for (const pid& child : children())
    (void)engine().stop(child, mode);
  if (children().empty()) {
    finalize();
    if (self_stop && self_stop.use_count() == 1) {
      // Sole owner: no completion refers to it, so nobody can ever look. Leave it unfired and
      // keep it for the thread's next self-stop (nothing is written, so nothing needs ordering
      // with the last other owner's reads).
      if (!tl_self_stop.spare) tl_self_stop.spare = std::move(self_stop);
    } else if (self_stop) {
      self_stop->complete();
    }
  } else if (self_stop) {
    more().waiters.push_back(std::move(self_stop));
  }
}

void process::settle_self_stop() noexcept {
  if (tl_self_stop.owner != this) return;
  tl_self_stop.owner = nullptr;
  std::shared_ptr<completion_state> done = std::move(tl_self_stop.done);
  if (phase_ == phase::dead) {
    done->complete();  // asked for while it was already terminating (in `stopped`, say)
  } else {
    more().waiters.push_back(std::move(done));
  }
}

void process::drain_inbox() noexcept {
  // After close() nothing new gets in, but a sender that reserved a slot just before may still be
  // writing it: wait for those few instructions rather than lose its message.
  for (;;) {
    consume_user(SIZE_MAX, [this](envelope& e) noexcept {
      if (auto* pill = e.msg.get_if<poison_pill>()) {
        if (pill->done) more().waiters.push_back(std::move(pill->done));
      } else if (!e.msg.is<request_failed>() && !e.msg.is<terminated>()) {
        dead_letter(e, dead_letter_reason::stopped);
      }
      return true;
    });
    if (user_empty()) break;
    cpu_relax();
  }
}

void process::finalize() noexcept {
  discard_instance();
  engine().actors().remove(this);
  // Folded only now that no snapshot can find it in the registry (engine_impl::add_kind_stats).
  const worker* here = current_worker();
  kind_->retired_processed.add(here != nullptr ? here->index : 0, processed());
  phase_ = phase::dead;
  // Late stop requests only add waiters; late restarts, watches and child notices mean nothing
  // now (a watch that arrives after this point fails to push and is answered by its sender).
  system_message* m = system_.close();
  while (m != nullptr) {
    if ((m->kind == system_kind::stop || m->kind == system_kind::poison_at) && m->done) {
      more().waiters.push_back(std::move(m->done));
    }
    if (m->kind == system_kind::watch) more().watchers.push_back(m->subject);
    delete std::exchange(m, m->next);
  }
  // PIDs of this process only where something takes one: each costs two atomic operations on
  // its reference count, a sizeable part of a short-lived actor's end.
  if (engine().has_subscribers()) engine().publish_event(actor_stopped_event{pid(this)});
  // `parent_` stays: a numbered ID is written out from the parent's, whenever it is asked for.
  if (parent_) notify(parent_, system_kind::child_terminated, pid(this));
  std::vector<std::shared_ptr<completion_state>> waiters;
  if (extras_) {
    const pid self(this);
    waiters = std::move(extras_->waiters);
    const std::string detail =
        termination_ == termination_reason::crashed ? more().crash_reason : "";
    for (const pid& watcher : extras_->watchers) {
      engine().send(watcher, message(terminated{self, termination_, detail}), self);
    }
    for (const pid& watched : extras_->watching)
      engine().unwatch(watched, self);
  }
  extras_.reset();
  // What the producer and middleware captured may hold PIDs (even this one): release it now, not
  // with the last PID.
  make_ = nullptr;
  if (custom_) custom_->options.middleware.clear();
  for (auto& w : waiters)
    w->complete();
}

void process::dead_letter(envelope& e, dead_letter_reason reason, std::string detail) noexcept {
  engine().dead_letter(pid(this), std::move(e.msg), e.sender, reason, std::move(detail));
}

// -- actor-confined helpers --------------------------------------------------------------

std::shared_ptr<completion_state> process::stop_signal() {
  if (tl_self_stop.spare) return std::move(tl_self_stop.spare);
  return std::make_shared<completion_state>();
}

void process::stop_from_inside(std::shared_ptr<completion_state> done) {
  if (tl_self_stop.owner == nullptr) {
    tl_self_stop.owner = this;
    tl_self_stop.done = std::move(done);
  } else {
    more().waiters.push_back(std::move(done));  // the slot is taken: a second stop this turn
  }
  stop_requested_ = true;
  graceful_ = false;
}

void process::add_child(const pid& child) {
  more().children.push_back(child);
}

const std::vector<pid>& process::children() const noexcept {
  static const std::vector<pid> none;
  return extras_ ? extras_->children : none;
}

void process::add_timer(std::shared_ptr<timer_entry> t) {
  auto& timers = more().timers;
  // Forget timers that can no longer fire, so a long-lived actor's list stays short.
  std::erase_if(timers,
                [](const auto& e) { return e->stopped() || (!e->repeating() && e->fired()); });
  timers.push_back(std::move(t));
}

std::uint64_t process::add_request(request_continuation then) {
  extras& x = more();
  const std::uint64_t id = ++x.last_request_id;
  x.requests.push_back({id, std::move(then)});
  return id;
}

void process::watch(const pid& target) {
  if (!target || target == pid(this)) return;
  auto& watching = more().watching;
  if (std::find(watching.begin(), watching.end(), target) == watching.end()) {
    watching.push_back(target);
  }
  engine().watch(target, pid(this));
}

void process::unwatch(const pid& target) {
  if (extras_) std::erase(extras_->watching, target);
  engine().unwatch(target, pid(this));
}

}  // namespace hollywood::actor::detail
