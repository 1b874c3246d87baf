// SPDX-License-Identifier: MIT
#include "process.hpp"

#include <hollywood/actor/events.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/cpu_relax.hpp>

#include "engine_impl.hpp"
#include "failure.hpp"
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

}  // namespace

process* current_process() noexcept {
  return tl_current;
}

struct process::extras {
  std::vector<pid> children;
  std::vector<std::shared_ptr<timer_entry>> timers;
  struct pending_request {
    std::uint64_t id;
    request_continuation then;
  };
  std::vector<pending_request> requests;
  std::uint64_t last_request_id = 0;
  std::vector<std::shared_ptr<completion_state>> waiters;
};

process::process(engine_impl& engine, const std::string* address, std::string id,
                 std::shared_ptr<const spawn_spec> spec, pid parent) noexcept
    : pid_target(target_kind::process, address, std::move(id)),
      engine_(engine),
      spec_(std::move(spec)),
      parent_(std::move(parent)) {
  // Born scheduled: the first turn delivers `initialized` and `started`.
  ctl_.store(3, std::memory_order_relaxed);
}

process::~process() = default;

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
  engine_.sched().schedule(this);
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
  scheduler& sched = engine_.sched();
  std::size_t budget = sched.throughput();
  for (;;) {
    if (!system_.empty()) handle_system();
    if (phase_ == phase::created) start_instance();
    if (phase_ == phase::running) {
      const std::size_t n =
          inbox_.consume(budget, [this](envelope& e) noexcept { return handle(e); });
      budget -= std::min(budget, n);
      if (crashed_) on_crash();
      if (stop_requested_ && phase_ != phase::stopping && phase_ != phase::dead) begin_stop();
      if (phase_ == phase::running && budget == 0) {
        if (sched.has_other_work(w)) return run_result::yield;
        budget = sched.throughput();
        continue;
      }
    }
    if (phase_ == phase::dead) {
      release_schedule();
      return run_result::released;
    }
    if (has_work()) continue;
    if (phase_ == phase::running && spin_until_work(w)) continue;
    if (try_release()) return run_result::released;
  }
}

bool process::has_work() const noexcept {
  if (!system_.empty()) return true;
  return (phase_ == phase::running || phase_ == phase::created) && !inbox_.empty();
}

bool process::spin_until_work(worker& w) noexcept {
  // An actor that caught up with its senders keeps its worker for the spin budget instead of
  // going idle: while it holds the scheduling bit, senders push without scheduling anything.
  // Only worth it when the worker has nothing else to run.
  scheduler& sched = engine_.sched();
  const auto budget = sched.spin();
  if (budget.count() <= 0 || sched.has_other_work(w)) return false;
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (has_work()) return true;
    cpu_relax();
    if ((i & 7) == 0) {
      if (sched.has_other_work(w)) return false;
      if (std::chrono::steady_clock::now() - start >= budget) return false;
    }
  }
}

bool process::try_release() noexcept {
  // Snapshot what the re-check needs while this worker still owns the process: once the bit is
  // clear another worker may run it, so afterwards only atomics may be read.
  const bool takes_user_messages = phase_ == phase::running;
  if (takes_user_messages) inbox_.release_storage();  // an idle actor keeps no inbox block
  const std::uint64_t position = inbox_.consumer_position();
  // Turn the scheduling bit into a temporary reference in one step (bit 0 set, +1 carries into
  // the count), so the re-check cannot race with the last reference being dropped elsewhere.
  // seq_cst RMW, then seq_cst loads: the worker's half of the Dekker pair with
  // schedule_after_push().
  ctl_.fetch_add(1, std::memory_order_seq_cst);
  const bool work = !system_.empty() || (takes_user_messages && inbox_.pushed_since(position));
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
  if (e.msg.is<response_ready>()) {
    run_continuation(e);
    return !crashed_;
  }
  if (!invoke(e)) return false;
  processed_.store(processed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  // A pending system message (stop, above all) takes effect after the current message, not after
  // the batch. One relaxed load of a word senders rarely write.
  return system_.empty_relaxed();
}

bool process::invoke(envelope& e) noexcept {
  context ctx(*this, e);
  try {
    if (composed_) {
      composed_(ctx);
    } else {
      receiver_->receive(ctx);
    }
    return true;
  } catch (...) {
    crash_reason_ = describe_current_exception();
  }
  crashed_ = true;
  // The failing message is not redelivered: it becomes a dead letter carrying the reason.
  if (!e.msg.empty()) dead_letter(e, dead_letter_reason::crashed, crash_reason_);
  return false;
}

void process::deliver_lifecycle(message m) noexcept {
  envelope e(std::move(m), pid{});
  context ctx(*this, e);
  try {
    if (composed_) {
      composed_(ctx);
    } else {
      receiver_->receive(ctx);
    }
  } catch (...) {
    crash_reason_ = describe_current_exception();
    crashed_ = true;
  }
}

void process::run_continuation(envelope& e) noexcept {
  auto& ready = e.msg.get<response_ready>();
  request_continuation then;
  if (extras_) {
    auto& reqs = extras_->requests;
    auto it = std::find_if(reqs.begin(), reqs.end(),
                           [&](const auto& r) { return r.id == ready.request_id; });
    if (it != reqs.end()) {
      then = std::move(it->then);
      reqs.erase(it);
    }
  }
  if (!then) return;
  // The continuation runs like a receive: the current sender is whoever responded.
  envelope view(message{}, std::move(ready.responder_sender));
  context ctx(*this, view);
  try {
    then(ctx, std::move(ready.result));
  } catch (...) {
    crash_reason_ = describe_current_exception();
    crashed_ = true;
  }
}

// -- lifecycle ---------------------------------------------------------------------------

void process::start_instance() noexcept {
  crashed_ = false;
  lifecycle_done_ = false;
  try {
    receiver_ = spec_->make();
  } catch (...) {
    crash_reason_ = describe_current_exception();
    crashed_ = true;
  }
  if (!crashed_ && !receiver_) {
    crash_reason_ = "producer returned no receiver";
    crashed_ = true;
  }
  if (!crashed_ && !spec_->options.middleware.empty()) {
    receive_fn fn = [r = receiver_.get()](context& ctx) { r->receive(ctx); };
    const auto& chain = spec_->options.middleware;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      fn = (*it)(std::move(fn));
    composed_ = std::move(fn);
  }
  phase_ = phase::running;
  if (!crashed_) {
    deliver_lifecycle(message(initialized{}));
    if (!crashed_) engine_.publish_event(actor_initialized_event{pid(this)});
  }
  if (!crashed_) {
    deliver_lifecycle(message(started{}));
    if (!crashed_) engine_.publish_event(actor_started_event{pid(this)});
  }
  if (crashed_) on_crash();
}

void process::discard_instance() noexcept {
  if (receiver_ && !lifecycle_done_) {
    lifecycle_done_ = true;
    deliver_lifecycle(message(stopped{}));  // a throw from `stopped` changes nothing now
  }
  composed_ = nullptr;
  receiver_.reset();
}

void process::on_crash() noexcept {
  crashed_ = false;
  // The broken instance still gets `stopped` (once) to release what it holds.
  discard_instance();
  crashed_ = false;
  const std::uint32_t restarts = restarts_.load(std::memory_order_relaxed);
  if (restarts >= spec_->options.max_restarts) {
    engine_.count_max_restarts_exceeded();
    engine_.publish_event(actor_max_restarts_exceeded_event{pid(this), restarts, crash_reason_});
    stop_requested_ = true;
    graceful_ = false;
    begin_stop();  // whatever is still queued becomes dead letters
    return;
  }
  restarts_.store(restarts + 1, std::memory_order_relaxed);
  const std::uint64_t generation = ++crash_generation_;
  phase_ = phase::suspended;
  const auto delay = spec_->options.restart_delay;
  if (delay.count() <= 0) {
    phase_ = phase::created;
    engine_.publish_event(actor_restarted_event{pid(this), restarts + 1, crash_reason_});
    return;
  }
  // Messages keep queueing in the inbox meanwhile (the crash buffer); the restart message
  // arrives through the system inbox, which a suspended process still reads.
  auto self = pid(this);
  auto t = engine_.schedule_timer(
      [self, generation] {
        auto* p = static_cast<process*>(self.target());
        auto* m = new system_message{nullptr, system_kind::restart, {}, {}, generation};
        if (!p->deliver_system(m)) delete m;
      },
      delay, std::chrono::nanoseconds{0});
  (void)t;
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
          auto it = std::find(kids.begin(), kids.end(), m->subject);
          if (it != kids.end()) {
            kids.erase(it);
            if (phase_ == phase::stopping && pending_children_ > 0) --pending_children_;
          }
        }
        break;
      case system_kind::restart:
        if (phase_ == phase::suspended && m->generation == crash_generation_) {
          phase_ = phase::created;
          engine_.publish_event(actor_restarted_event{
              pid(this), restarts_.load(std::memory_order_relaxed), crash_reason_});
        }
        break;
    }
    delete m;
    m = next;
  }
  if (stop_requested_ && phase_ != phase::stopping && phase_ != phase::dead) begin_stop();
  if (phase_ == phase::stopping && pending_children_ == 0) finalize();
}

void process::begin_stop() noexcept {
  phase_ = phase::stopping;
  if (extras_) {
    for (auto& t : extras_->timers)
      t->stop();
    extras_->timers.clear();
  }
  inbox_.close();
  drain_inbox();
  pending_children_ = 0;
  if (extras_) {
    const auto mode = graceful_ ? stop_mode::graceful : stop_mode::immediate;
    for (const pid& child : extras_->children) {
      ++pending_children_;
      (void)engine_.stop(child, mode);
    }
  }
  if (pending_children_ == 0) finalize();
}

void process::drain_inbox() noexcept {
  // After close() nothing new gets in, but a sender that reserved a slot just before may still be
  // writing it: wait for those few instructions rather than lose its message.
  for (;;) {
    inbox_.consume(SIZE_MAX, [this](envelope& e) noexcept {
      if (auto* pill = e.msg.get_if<poison_pill>()) {
        if (pill->done) more().waiters.push_back(std::move(pill->done));
      } else if (!e.msg.is<response_ready>()) {
        dead_letter(e, dead_letter_reason::stopped);
      }
      return true;
    });
    if (inbox_.empty()) break;
    cpu_relax();
  }
}

void process::finalize() noexcept {
  discard_instance();
  engine_.actors().remove(this);
  phase_ = phase::dead;
  // Late stop requests only add waiters; late restarts and child notices mean nothing now.
  system_message* m = system_.close();
  while (m != nullptr) {
    if (m->kind == system_kind::stop && m->done) more().waiters.push_back(std::move(m->done));
    delete std::exchange(m, m->next);
  }
  const pid self(this);
  engine_.publish_event(actor_stopped_event{self});
  if (parent_) {
    auto* p = static_cast<process*>(parent_.target());
    auto* notice = new system_message{nullptr, system_kind::child_terminated, self, {}, 0};
    if (!p->deliver_system(notice)) delete notice;
  }
  parent_ = pid{};
  // A dead process can outlive its engine through PIDs: drop what the producer captured now.
  spec_.reset();
  std::vector<std::shared_ptr<completion_state>> waiters;
  if (extras_) waiters = std::move(extras_->waiters);
  extras_.reset();
  for (auto& w : waiters)
    w->complete();
}

void process::dead_letter(envelope& e, dead_letter_reason reason, std::string detail) noexcept {
  engine_.dead_letter(pid(this), std::move(e.msg), e.sender, reason, std::move(detail));
}

// -- actor-confined helpers --------------------------------------------------------------

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

}  // namespace hollywood::actor::detail
