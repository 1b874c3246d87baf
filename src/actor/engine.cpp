// SPDX-License-Identifier: MIT
#include <hollywood/actor/context.hpp>
#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/events.hpp>
#include <hollywood/actor/lifecycle.hpp>

#include "cpu_affinity.hpp"
#include "engine_impl.hpp"
#include "event_stream.hpp"
#include "free_pages.hpp"
#include "log.hpp"
#include "process.hpp"
#include "responder.hpp"
#include "slab_heap.hpp"

#include <sched.h>

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

namespace hollywood::actor {

namespace detail {

namespace {

std::chrono::steady_clock::time_point deadline_after(std::chrono::nanoseconds timeout) noexcept {
  // A request without a timeout is common on hot paths: it needs no clock read (~25 ns on a VM).
  if (timeout == infinite_timeout) return std::chrono::steady_clock::time_point::max();
  const auto now = std::chrono::steady_clock::now();
  if (timeout >= std::chrono::steady_clock::time_point::max() - now) {
    return std::chrono::steady_clock::time_point::max();
  }
  return now + timeout;
}

/// Whether `o` asks for nothing but defaults (its ID aside), so the actor can share them.
/// Keep in step with spawn_options.
bool has_default_values(const spawn_options& o) noexcept {
  const spawn_options& d = default_spawn_options();
  return o.middleware.empty() && o.max_restarts == d.max_restarts &&
         o.restart_delay == d.restart_delay && o.backoff == d.backoff &&
         o.max_restart_delay == d.max_restart_delay && o.restart_window == d.restart_window &&
         o.child_strategy == d.child_strategy && o.child_escalation == d.child_escalation &&
         o.inbox_capacity == d.inbox_capacity && o.overflow == d.overflow &&
         o.block_timeout == d.block_timeout;
}

void log_dead_letter(const pid& target, const message& m, const pid& sender,
                     dead_letter_reason reason, std::string_view detail) noexcept {
  try {
    const std::string to = target.to_string();
    const std::string from = sender ? sender.to_string() : std::string("none");
    limited_log::write(limited_event::dead_letter, {{"target", to},
                                                    {"sender", from},
                                                    {"type", m.type_name()},
                                                    {"reason", to_string(reason)},
                                                    {"detail", detail}});
  } catch (...) {
    // Out of memory while formatting: the dead letter is still counted and published.
  }
}

dead_letter_reason undeliverable_reason(const pid_target& t) noexcept {
  switch (t.kind()) {
    case target_kind::process:
      return dead_letter_reason::stopped;
    case target_kind::responder:
      return dead_letter_reason::late_response;
    case target_kind::mailbox:
      return dead_letter_reason::engine_stopped;
    case target_kind::named:
      return dead_letter_reason::unknown_target;
  }
  return dead_letter_reason::unknown_target;
}

}  // namespace

namespace {
std::atomic<std::uint64_t> engine_serials{1};
}  // namespace

engine_impl::engine_impl(actor::engine& owner, engine_config config)
    : serial_(engine_serials.fetch_add(1, std::memory_order_relaxed)),
      owner_(owner),
      config_(std::move(config)),
      backoff_backlog_(config_.backoff == sender_backoff::yield
                           ? config_.backoff_backlog
                           : std::numeric_limits<std::size_t>::max()),
      address_(intern(config_.remote ? config_.remote->address() : config_.address)),
      scheduler_(config_, [this] { return_memory(); }),
      remote_(config_.remote.get()) {}

engine_impl::~engine_impl() {
  shutdown();
}

std::error_code engine_impl::start() {
  root_ = pid(new mailbox_target(address_, "root"), false);
  scheduler_.start();
  spawn_options options = spawn_options{}
                              .with_id("0")
                              .with_max_restarts(UINT32_MAX)
                              .with_restart_delay(std::chrono::milliseconds{0});
  auto stream = spawn(make_producer<event_stream_receiver>(this), "eventstream", &options, nullptr);
  event_stream_ = std::move(*stream);
  if (remote_ != nullptr) {
    if (auto ec = remote_->attach(owner_)) return ec;
    remote_attached_.store(true, std::memory_order_release);
  }
  return {};
}

// -- messaging ---------------------------------------------------------------------------

send_result engine_impl::try_deliver(const pid& to, message& m, const pid& sender,
                                     drops mode) noexcept {
  pid_target* t = to.target();
  if (t == nullptr) return send_result::unknown_target;
  switch (t->kind()) {
    case target_kind::process: {
      auto* p = static_cast<process*>(t);
      if (p->bounded()) [[unlikely]]
        return deliver_bounded(*p, m, sender, mode);
      if (!p->deliver(m, sender)) return send_result::stopped;
      if (current_worker() == nullptr) back_off_if_behind(*p);
      return send_result::delivered;
    }
    case target_kind::responder:
      return static_cast<responder*>(t)->offer(m, sender) ? send_result::delivered
                                                          : send_result::stopped;
    case target_kind::mailbox:
      return static_cast<mailbox_target*>(t)->offer(m, sender) ? send_result::delivered
                                                               : send_result::stopped;
    case target_kind::named:
      if (t->interned_address() == address_) {
        if (pid local = find_local(t->id())) return try_deliver(local, m, sender, mode);
        return send_result::unknown_target;
      }
      return route_remote(to, m, sender);
  }
  return send_result::unknown_target;
}

namespace {
/// How long a plain-thread sender waits for a receiver past the backlog to catch up before it
/// yields: longer than a receiver running on another core takes to finish a batch (256 messages
/// at ~15 ns), far shorter than a scheduler time slice.
constexpr std::chrono::microseconds backoff_wait{5};
}  // namespace

void engine_impl::back_off_if_behind(const process& p) noexcept {
  // Reads the inbox's tail and head, on the line the push just wrote.
  if (p.inbox_depth() <= backoff_backlog_) return;
  // A receiver running on another core drains the excess within a batch: wait for that
  // first, because a yield costs this thread a system call (~0.5 us on a VM) and gives nothing to
  // a receiver that is running already. One that did not catch up meanwhile is presumably waiting
  // for a core, maybe this one: then this thread yields it.
  const auto deadline = std::chrono::steady_clock::now() + backoff_wait;
  do {
    cpu_relax();
    if (p.inbox_depth() <= backoff_backlog_) return;
  } while (std::chrono::steady_clock::now() < deadline);
  sender_backoffs_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
  ::sched_yield();
}

send_result engine_impl::route_remote(const pid& to, message& m, const pid& sender) noexcept {
  if (remote_ == nullptr) return send_result::unreachable;
  // An answer to a responder comes back by ID: make it findable before the request leaves.
  if (sender && sender.target()->kind() == target_kind::responder) {
    expose(*static_cast<responder*>(sender.target()));
  }
  return remote_->route(to, m, sender);
}

send_result engine_impl::deliver_bounded(process& p, message& m, const pid& sender,
                                         drops mode) noexcept {
  const spawn_options& o = p.options();
  std::optional<envelope> evicted;
  auto outcome = p.push_bounded(m, sender, evicted);
  if (evicted) {
    if (mode == drops::published) {
      dead_letter(pid(&p), std::move(evicted->msg), evicted->sender, dead_letter_reason::inbox_full,
                  "dropped oldest");
    } else {
      count_dead_letter(dead_letter_reason::inbox_full);
    }
  }
  // A sender on a worker never waits: blocking a worker could deadlock the engine.
  if (outcome == bounded_inbox::push_outcome::full && o.overflow == overflow_policy::block &&
      current_worker() == nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + o.block_timeout;
    auto pause = std::chrono::microseconds(1);
    while (outcome == bounded_inbox::push_outcome::full &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(pause);  // back-off while the consumer makes room
      pause = std::min(pause * 2, std::chrono::microseconds(1000));
      outcome = p.push_bounded(m, sender, evicted);
    }
  }
  switch (outcome) {
    case bounded_inbox::push_outcome::ok:
      return send_result::delivered;
    case bounded_inbox::push_outcome::closed:
      return send_result::stopped;
    case bounded_inbox::push_outcome::full:
      break;
  }
  if (o.overflow == overflow_policy::drop_newest) {
    if (mode == drops::published) {
      dead_letter(pid(&p), std::move(m), sender, dead_letter_reason::inbox_full, "dropped newest");
    } else {
      count_dead_letter(dead_letter_reason::inbox_full);
    }
    return send_result::dropped;
  }
  return send_result::inbox_full;
}

send_result engine_impl::try_send(const pid& to, message&& m, const pid& sender) noexcept {
  const send_result r = try_deliver(to, m, sender);
  switch (r) {
    case send_result::delivered:
    case send_result::dropped:
    case send_result::inbox_full:
      return r;
    case send_result::stopped:
    case send_result::unknown_target:
      if (to) dead_letter(to, std::move(m), sender, undeliverable_reason(*to.target()));
      return r;
    case send_result::unreachable:
      dead_letter(to, std::move(m), sender, dead_letter_reason::unreachable,
                  remote_ != nullptr ? "peer unreachable" : "this engine has no remote");
      return r;
    case send_result::unknown_type:
      dead_letter(to, std::move(m), sender, dead_letter_reason::unknown_type,
                  "no codec registered for the payload type");
      return r;
  }
  return r;
}

void engine_impl::send(const pid& to, message&& m, const pid& sender) noexcept {
  if (!to) return;
  // try_send leaves `m` untouched when it reports `inbox_full`.
  if (try_send(to, std::move(m), sender) == send_result::inbox_full) {
    const bool remote = to.target()->interned_address() != address_;
    dead_letter(to, std::move(m), sender, dead_letter_reason::inbox_full,
                remote ? "queue to peer full" : "inbox full");
  }
}

bool engine_impl::deliver_adopting(const pid& to, message& m, pid&& sender) noexcept {
  pid_target* t = to.target();
  if (t == nullptr) return false;
  if (t->kind() == target_kind::process) {
    auto* p = static_cast<process*>(t);
    return !p->bounded() && p->deliver(m, std::move(sender));
  }
  if (t->kind() == target_kind::responder) {
    return static_cast<responder*>(t)->offer(m, std::move(sender));
  }
  return false;
}

void engine_impl::send(const pid& to, message&& m, pid&& sender) noexcept {
  if (deliver_adopting(to, m, std::move(sender))) return;
  // Not taken, so `m` and `sender` are untouched: the general path delivers or dead-letters it.
  send(to, std::move(m), std::as_const(sender));
}

void engine_impl::send_request(const pid& to, message&& m, pid&& responder) noexcept {
  if (deliver_adopting(to, m, std::move(responder))) return;
  // Not taken: `m` and `responder` are untouched.
  const send_result r = try_send(to, std::move(m), responder);
  if (r == send_result::delivered) return;
  auto* target = static_cast<detail::responder*>(responder.target());
  if (r == send_result::inbox_full) {
    dead_letter(to, std::move(m), responder, dead_letter_reason::inbox_full, "inbox full");
    target->fail(errc::inbox_full);
  } else {
    target->fail(errc::unknown_target);
  }
}

pid engine_impl::resolve(const pid& p) const {
  if (p && p.target()->kind() == target_kind::named && p.target()->interned_address() == address_) {
    return find_local(p.id());
  }
  return p;
}

void engine_impl::watch(const pid& target, const pid& watcher) {
  if (!target || !watcher) return;
  const pid_target* t = target.target();
  if (t->kind() == target_kind::named && t->interned_address() != address_) {
    if (remote_ != nullptr && remote_->watch(target, watcher)) return;
    send(watcher,
         message(terminated{target, termination_reason::unreachable, "no route to its engine"}),
         target);
    return;
  }
  pid resolved = resolve(target);
  if (resolved && resolved.target()->kind() == target_kind::process) {
    auto* m = new system_message{nullptr, system_kind::watch, watcher, {}, 0};
    if (static_cast<process*>(resolved.target())->deliver_system(m)) return;
    delete m;
  }
  // Unknown or already gone: the answer is immediate.
  send(watcher, message(terminated{target, termination_reason::not_found, {}}), target);
}

void engine_impl::unwatch(const pid& target, const pid& watcher) {
  if (!target || !watcher) return;
  const pid_target* t = target.target();
  if (t->kind() == target_kind::named && t->interned_address() != address_) {
    if (remote_ != nullptr) remote_->unwatch(target, watcher);
    return;
  }
  pid resolved = resolve(target);
  if (resolved && resolved.target()->kind() == target_kind::process) {
    auto* m = new system_message{nullptr, system_kind::unwatch, watcher, {}, 0};
    if (!static_cast<process*>(resolved.target())->deliver_system(m)) delete m;
  }
}

pid engine_impl::find_local(std::string_view id) const {
  if (pid p = registry_.find(id)) return p;
  // Acquire: pairs with the release increment in expose(), so a non-zero count means the
  // table may hold entries worth the lock.
  if (exposed_count_.load(std::memory_order_acquire) > 0) {
    std::lock_guard lock(exposed_mu_);
    if (auto it = exposed_.find(id); it != exposed_.end()) return it->second;
  }
  if (root_ && id == root_.id()) return root_;
  return {};
}

void engine_impl::expose(responder& r) {
  std::lock_guard lock(exposed_mu_);
  if (!r.mark_exposed()) return;
  try {
    exposed_.emplace(r.id(), pid(&r));
    exposed_count_.fetch_add(1, std::memory_order_release);  // partner: find_local
  } catch (const std::bad_alloc&) {
    // Without the entry the answer becomes a dead letter and the request times out.
    log(log_level::error, "out of memory exposing a responder to remote answers");
  }
}

void engine_impl::unexpose(responder& r) noexcept {
  std::lock_guard lock(exposed_mu_);
  if (auto it = exposed_.find(r.id()); it != exposed_.end() && it->second.target() == &r) {
    exposed_.erase(it);
    exposed_count_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void engine_impl::dead_letter(const pid& target, message&& m, const pid& sender,
                              dead_letter_reason reason, std::string detail) noexcept {
  count_dead_letter(reason);
  pid shown = target;
  // acquire: pairs with the release store in set_dead_letter_rewrite.
  if (has_rewrite_.load(std::memory_order_acquire)) {
    std::shared_ptr<const engine::dead_letter_rewrite> rewrite;
    {
      std::lock_guard lock(rewrite_mu_);
      rewrite = rewrite_;
    }
    try {
      if (rewrite) (*rewrite)(shown, m);
    } catch (...) {
      // A user-supplied rewrite failed: the envelope is still a faithful record of what was lost.
    }
  }
  if (event_log_.admit(limited_event::dead_letter)) {
    log_dead_letter(shown, m, sender, reason, detail);
  }
  if (subscribers_hint_.load(std::memory_order_acquire) > 0) {
    publish(message(dead_letter_event{shown, std::make_shared<const message>(std::move(m)), sender,
                                      reason, std::move(detail)}));
  }
}

void engine_impl::set_dead_letter_rewrite(engine::dead_letter_rewrite fn) {
  auto next = fn ? std::make_shared<const engine::dead_letter_rewrite>(std::move(fn)) : nullptr;
  const bool any = next != nullptr;
  std::lock_guard lock(rewrite_mu_);
  rewrite_ = std::move(next);
  // release: pairs with the acquire load in dead_letter.
  has_rewrite_.store(any, std::memory_order_release);
}

void engine_impl::publish(message&& event) noexcept {
  // Never a dead letter: a dead letter about an undeliverable event would publish another event.
  if (event_stream_) (void)try_deliver(event_stream_, event, pid{}, drops::counted);
}

void engine_impl::subscribe(const pid& subscriber) {
  if (!subscriber) return;
  // Counted before the request is queued, so an event published after this call returns is
  // routed through the stream, which handles the subscription first (same inbox, FIFO).
  subscribers_hint_.fetch_add(1, std::memory_order_acq_rel);
  message m(subscribe_request{subscriber});
  if (!event_stream_ || try_deliver(event_stream_, m, pid{}) != send_result::delivered) {
    subscription_dropped();
  }
}

void engine_impl::unsubscribe(const pid& subscriber) {
  if (!subscriber || !event_stream_) return;
  message m(unsubscribe_request{subscriber});
  (void)try_deliver(event_stream_, m, pid{});
}

// -- actors ------------------------------------------------------------------------------

kind_record* engine_impl::intern_kind(std::string_view kind) {
  // Kinds are few and spawns of one kind come in runs: remember the last one per thread.
  // Keyed by the engine's serial, not its address: a new engine may reuse a dead one's address.
  thread_local std::uint64_t last_engine = 0;
  thread_local kind_record* last_kind = nullptr;
  if (last_engine == serial_ && last_kind->name == kind) return last_kind;
  kind_record* interned = nullptr;
  {
    std::lock_guard lock(kinds_mu_);
    auto it = kinds_.find(kind);
    if (it == kinds_.end()) {
      auto record = std::make_unique<kind_record>(intern(kind), *this);
      const std::string_view key = record->name;
      it = kinds_.emplace(key, std::move(record)).first;
    }
    interned = it->second.get();
  }
  last_engine = serial_;
  last_kind = interned;
  return interned;
}

worker::number_blocks& engine_impl::number_blocks() noexcept {
  // Plain threads take blocks too: a thread spawning in a loop then numbers its actors
  // consecutively into one registry page, and requests without a shared counter's line each.
  // A few engines' blocks at once, so a thread alternating between engines does not end a run
  // (and start a page) per spawn. Keyed by the engine's serial, not its address (see
  // intern_kind).
  struct engine_blocks {
    std::uint64_t engine = 0;
    worker::number_blocks blocks;
  };
  thread_local std::array<engine_blocks, 4> plain;
  thread_local std::size_t next_evicted = 0;
  if (worker* w = current_worker(); w != nullptr && w->owner == &scheduler_) return w->numbers;
  for (engine_blocks& b : plain) {
    if (b.engine == serial_) return b.blocks;
  }
  engine_blocks& b = plain[next_evicted++ % plain.size()];
  b.blocks.actor_ids.close();
  b.blocks.request_ids = {};
  b.engine = serial_;
  return b.blocks;
}

std::uint64_t engine_impl::take_number(std::atomic<std::uint64_t>& counter,
                                       worker::number_block& b) noexcept {
  constexpr std::uint64_t block = 1024;
  if (b.next == b.end) {
    b.next = counter.fetch_add(block, std::memory_order_relaxed);  // relaxed: uniqueness only
    b.end = b.next + block;
  }
  return b.next++;
}

std::string engine_impl::next_responder_id() {
  // Short enough for the small-string buffer however many requests there were: base 36.
  char buf[24] = {'r', 'e', 'q', '/'};
  auto [end, ec] = std::to_chars(buf + 4, buf + sizeof(buf),
                                 take_number(next_request_, number_blocks().request_ids), 36);
  return std::string(buf, end);
}

expected<pid> engine_impl::spawn(producer&& make, std::string_view kind, spawn_options* options,
                                 process* parent) {
  if (!make || kind.empty()) return unexpected(errc::invalid_argument);
  if (options != nullptr) {
    if (const auto cap = options->inbox_capacity; cap == 1 || (cap & (cap - 1)) != 0) {
      log(log_level::warn, "spawn refused: inbox_capacity must be 0 (unbounded) or a power of two");
      return unexpected(errc::invalid_argument);
    }
  }
  if (stopping_.load(std::memory_order_acquire)) return unexpected(errc::engine_stopped);
  kind_record* const record = intern_kind(kind);
  const bool numbered = options == nullptr || options->id.empty();
  std::string id;  // a numbered actor's is written out only when asked for (see pid_target)
  number_table::run* run = nullptr;
  std::uint64_t number = 0;
  registry::placement where{0};
  if (numbered) {
    run = &number_blocks().actor_ids;
    number = registry_.take_number(*run, next_run_);
  } else {
    if (parent != nullptr) {
      id.append(parent->id());
      id.push_back('/');
    }
    id.append(kind);
    id.push_back('/');
    id.append(options->id);
    options->id.clear();  // consumed: it is part of the PID now
    where = registry_.prepare(id);
  }
  std::unique_ptr<process::customization> custom;
  if (options != nullptr && !has_default_values(*options)) {
    custom = std::make_unique<process::customization>(
        process::customization{std::move(*options), nullptr});
  }
  // Born with one reference (adopted by the returned PID) and its scheduling bit set.
  auto* p = new process(address_, std::move(id), number, std::move(make), record, std::move(custom),
                        parent != nullptr ? pid(parent) : pid{},
                        parent != nullptr ? parent->policy_for_children() : parent_policy{});
  if (const std::uint32_t heaps = slab_heap::take_populate_requests()) populate_heap_ahead(heaps);
  if (numbered) {
    while (!registry_.insert_numbered(p, *run, number)) {
      // A user gave an actor the name this number makes: the engine's names never alias an actor
      // the user named, so this one takes the next number (it is not visible to anyone yet).
      try {
        number = registry_.take_number(*run, next_run_);  // may start a run: allocates
      } catch (...) {
        delete p;  // never visible to anyone
        throw;
      }
      p->renumber(number);
    }
  } else if (pid existing = registry_.insert(p, where)) {
    delete p;  // never visible to anyone
    publish_event(actor_duplicate_id_event{existing});
    return existing;
  }
  pid result(p, false);
  if (parent != nullptr) parent->add_child(result);
  // From a plain thread, the first turn runs right here, as Hollywood's spawn does: no hand-over
  // to a worker (a run-queue push, often a wake-up, the process's lines moving to another core)
  // for an actor that usually just starts and waits. Not inside a handler: a worker must not be
  // held by another actor's start, and an actor that spawns the next in `started` would recurse.
  if (current_worker() != nullptr || current_process() != nullptr || !p->start_on_spawner()) {
    scheduler_.schedule(p);
  }
  return result;
}

completion engine_impl::stop(const pid& target, stop_mode mode) {
  pid found;  // the actor a local ID names (copying `target` itself would cost two atomics)
  if (target && target.target()->kind() == target_kind::named &&
      target.target()->interned_address() == address_) {
    found = registry_.find(target.id());
  }
  const pid& resolved = found ? found : target;
  if (!target) return completion();  // already done
  if (resolved && resolved.target()->kind() == target_kind::process) {
    auto* p = static_cast<process*>(resolved.target());
    if (mode == stop_mode::immediate && current_process() == p) {
      // An actor stopping itself needs no system message, and usually no new signal either.
      std::shared_ptr<completion_state> done = process::stop_signal();
      p->stop_from_inside(done);
      return completion(std::move(done));
    }
    auto done = std::make_shared<completion_state>();
    if (mode == stop_mode::graceful && p->bounded()) {
      // A bounded inbox may be full, and its capacity is for user messages: mark the position
      // instead of queueing a pill.
      auto* m = new system_message{nullptr, system_kind::poison_at, {}, done, p->accepted()};
      if (p->deliver_system(m)) return completion(done);
      delete m;
    } else if (mode == stop_mode::graceful) {
      message pill(poison_pill{done});
      if (p->deliver(pill, pid{})) return completion(done);
    } else {
      auto* m = new system_message{nullptr, system_kind::stop, {}, done, 0};
      if (p->deliver_system(m)) return completion(done);
      delete m;
    }
  }
  dead_letter(target, message(stop_request{mode == stop_mode::graceful}), pid{},
              dead_letter_reason::unknown_target);
  return completion();  // already done
}

response engine_impl::request(const pid& to, message&& m, std::chrono::nanoseconds timeout) {
  auto* r = new responder(*this, address_, next_responder_id(), responder::mode::blocking,
                          deadline_after(timeout), pid{}, 0);
  pid rp(r, false);
  send_request(to, std::move(m), pid(rp));
  return response(std::move(rp));
}

pid engine_impl::make_continuation_responder(process& requester, std::uint64_t request_id,
                                             std::chrono::nanoseconds timeout) {
  auto* r = new responder(*this, address_, next_responder_id(), responder::mode::continuation,
                          deadline_after(timeout), pid(&requester), request_id);
  pid rp(r, false);
  if (timeout == infinite_timeout) return rp;
  // The responder learns its timer before the timer can fire.
  auto entry = std::make_shared<timer_entry>(
      [rp] { static_cast<responder*>(rp.target())->expire(); }, std::chrono::nanoseconds{0});
  r->set_timeout(entry);
  if (!timers_.schedule(entry, timer_clock::now() + timeout)) r->expire();
  return rp;
}

timer engine_impl::schedule_timer(std::function<void()> action, std::chrono::nanoseconds first,
                                  std::chrono::nanoseconds interval) {
  auto entry = std::make_shared<timer_entry>(std::move(action), interval);
  if (!timers_.schedule(entry, timer_clock::now() + first)) entry->stop();
  return timer(std::move(entry));
}

// -- shutdown ----------------------------------------------------------------------------

void engine_impl::shutdown() {
  stopping_.store(true, std::memory_order_release);
  if (scheduler_.on_worker() || current_process() != nullptr) {
    // An actor cannot wait for the engine it runs on: only start stopping the top level.
    // Stopped outside the registry's locks: a stop may end in a dead letter and the user's
    // rewrite hook, which may look actors up.
    std::vector<pid> top;
    registry_.for_each([&](process& p) {
      if (!p.parent() && &p != event_stream_.target()) top.emplace_back(&p);
    });
    for (const pid& p : top)
      (void)stop(p, stop_mode::graceful);
    return;
  }
  std::lock_guard lock(shutdown_mu_);
  if (shut_down_.load(std::memory_order_acquire)) return;
  // Poison the top level until nothing but the event stream is left: each poison stops the
  // actor's descendants first. Repeat, because actors may have been spawned meanwhile.
  for (;;) {
    std::vector<pid> top;
    // By target: comparing PIDs would write out every numbered ID.
    registry_.for_each([&](process& p) {
      if (!p.parent() && &p != event_stream_.target()) top.emplace_back(&p);
    });
    if (top.empty()) break;
    std::vector<completion> pending;
    pending.reserve(top.size());
    for (const pid& p : top)
      pending.push_back(stop(p, stop_mode::graceful));
    for (const completion& c : pending)
      c.wait();
  }
  if (remote_attached_.exchange(false, std::memory_order_acq_rel)) remote_->detach();
  {
    // Responders may outlive the engine (a user keeps a response): they must not come back.
    std::lock_guard exposed_lock(exposed_mu_);
    for (auto& [id, r] : exposed_)
      static_cast<responder*>(r.target())->forget_exposure();
    exposed_.clear();
    exposed_count_.store(0, std::memory_order_relaxed);
  }
  if (event_stream_) stop(event_stream_, stop_mode::graceful).wait();
  subscribers_hint_.store(0, std::memory_order_release);
  timers_.stop();
  scheduler_.stop();
  if (root_) static_cast<mailbox_target*>(root_.target())->close();
  event_stream_ = pid{};
  event_log_.flush();  // the last burst of rate-limited lines is accounted for
  shut_down_.store(true, std::memory_order_release);
}

void engine_impl::populate_heap_ahead(std::uint32_t heaps) noexcept {
  // The timer thread sleeps between deadlines; faulting in spans (~100 us each on a VM, two at
  // most for the process heap) there keeps it off the spawning thread, and delays a timer due
  // meanwhile by as much at most. Only if it runs on another CPU, though: woken onto the
  // spawner's, it would take its time from the spawner (100k spawns: 95 -> 160 ns each).
  auto entry = std::make_shared<timer_entry>(
      [heaps, spawner_cpu = current_cpu()] {
        const scoped_cpu_avoidance elsewhere(spawner_cpu);
        slab_heap::populate_ahead(heaps);
      },
      std::chrono::nanoseconds{0});
  (void)timers_.schedule(std::move(entry), timer_clock::now());  // stopped: the spawner faults
}

void engine_impl::return_memory() noexcept {
  std::size_t bytes = process::inbox_type::hand_back_returned();
  bytes += slab_heap::give_back_all_free_pages();
  // What the blocks just freed, and everything else freed since the burst, is in malloc's free
  // lists; only a trim gives pages in the middle of its heaps back to the OS.
  (void)give_free_pages_back();
  memory_returned_bytes_.fetch_add(bytes, std::memory_order_relaxed);  // relaxed: statistics
  memory_returns_.fetch_add(1, std::memory_order_relaxed);
}

mailbox_target& engine_impl::root_mailbox() const noexcept {
  return *static_cast<mailbox_target*>(root_.target());
}

}  // namespace detail

// -- the public engine ---------------------------------------------------------------------

expected<std::unique_ptr<engine>> engine::create(engine_config config) {
  if (auto problem = config.problem(); !problem.empty()) {
    detail::log(detail::log_level::error, "engine configuration rejected: " + problem);
    return unexpected(errc::invalid_config);
  }
  std::unique_ptr<engine> e(new engine(std::move(config)));
  if (auto ec = e->impl_->start()) {
    detail::log(detail::log_level::error, "engine start failed: " + ec.message());
    return unexpected(ec);
  }
  return e;
}

engine::engine(engine_config config)
    : impl_(std::make_unique<detail::engine_impl>(*this, std::move(config))) {}

engine::~engine() {
  impl_->shutdown();
}

namespace {
void log_refused_spawn(std::string_view kind, std::error_code why) {
  detail::log(detail::log_level::warn,
              "spawn of kind '" + std::string(kind) + "' refused: " + why.message());
}
}  // namespace

// All hand their arguments to the engine by reference: moving a producer and the options through
// one more call cost ~120 instructions, a twelfth of a spawn. The overloads without options save
// the caller building and destroying a spawn_options (~80 instructions), and the engine comparing
// it with the defaults.
pid engine::spawn(producer make, std::string_view kind) {
  auto r = impl_->spawn(std::move(make), kind, nullptr, nullptr);
  if (r) return std::move(*r);
  log_refused_spawn(kind, r.error());
  return {};
}

pid engine::spawn(producer make, std::string_view kind, spawn_options options) {
  auto r = impl_->spawn(std::move(make), kind, &options, nullptr);
  if (r) return std::move(*r);
  log_refused_spawn(kind, r.error());
  return {};
}

expected<pid> engine::try_spawn(producer make, std::string_view kind) {
  auto r = impl_->spawn(std::move(make), kind, nullptr, nullptr);
  if (!r) log_refused_spawn(kind, r.error());
  return r;
}

expected<pid> engine::try_spawn(producer make, std::string_view kind, spawn_options options) {
  auto r = impl_->spawn(std::move(make), kind, &options, nullptr);
  if (!r) log_refused_spawn(kind, r.error());
  return r;
}

void engine::send_message(const pid& to, message msg, const pid& sender) {
  impl_->send(to, std::move(msg), sender);
}

send_result engine::try_send_message(const pid& to, message msg, const pid& sender) {
  return impl_->try_send(to, std::move(msg), sender);
}

response engine::request_message(const pid& to, message msg, std::chrono::nanoseconds timeout) {
  return impl_->request(to, std::move(msg), timeout);
}

const pid& engine::root() const noexcept {
  return impl_->root();
}

expected<envelope> engine::receive(std::chrono::nanoseconds timeout) {
  if (detail::current_worker() != nullptr) return unexpected(errc::blocking_in_actor);
  return impl_->root_mailbox().receive(timeout);
}

completion engine::poison(const pid& target) {
  return impl_->stop(target, detail::stop_mode::graceful);
}

completion engine::stop(const pid& target) {
  return impl_->stop(target, detail::stop_mode::immediate);
}

void engine::shutdown() {
  impl_->shutdown();
}

pid engine::lookup(std::string_view kind, std::string_view id) const {
  std::string full(kind);
  full.push_back('/');
  full.append(id);
  return impl_->actors().find(full);
}

pid engine::lookup(std::string_view id) const {
  return impl_->actors().find(id);
}

std::vector<pid> engine::pids(std::string_view kind) const {
  std::vector<pid> out;
  impl_->actors().for_each([&](detail::process& p) {
    if (p.kind() == kind) out.emplace_back(&p);
  });
  return out;
}

const pid& engine::event_stream() const noexcept {
  return impl_->event_stream();
}

void engine::subscribe(const pid& subscriber) {
  impl_->subscribe(subscriber);
}

void engine::unsubscribe(const pid& subscriber) {
  impl_->unsubscribe(subscriber);
}

void engine::publish(message event) {
  impl_->publish(std::move(event));
}

timer engine::schedule_timer(const pid& to, message_maker make, std::chrono::nanoseconds first,
                             std::chrono::nanoseconds interval, const pid& sender) {
  return impl_->schedule_timer(
      [impl = impl_.get(), to, make = std::move(make), sender] { impl->send(to, make(), sender); },
      first, interval);
}

std::string_view engine::address() const noexcept {
  return *impl_->address();
}

bool engine::running() const noexcept {
  return !impl_->stopping();
}

engine_stats engine::stats() const {
  return impl_->stats(detail::engine_impl::scope::actors);
}

namespace {

/// A local actor watches through its own bookkeeping (which filters notices after unwatch):
/// ask it to, with a system message. Returns false for any other kind of watcher.
bool ask_local_actor(const detail::engine_impl& e, const pid& watcher, detail::system_kind kind,
                     const pid& target) {
  pid local = e.resolve(watcher);
  if (!local || local.target()->kind() != detail::target_kind::process) return false;
  auto* m = new detail::system_message{nullptr, kind, target, {}, 0};
  if (!static_cast<detail::process*>(local.target())->deliver_system(m)) delete m;
  return true;
}

}  // namespace

void engine::watch(const pid& target, const pid& watcher) {
  if (!target || !watcher) return;
  if (ask_local_actor(*impl_, watcher, detail::system_kind::watch_target, target)) return;
  impl_->watch(target, watcher);
}

void engine::unwatch(const pid& target, const pid& watcher) {
  if (!target || !watcher) return;
  if (ask_local_actor(*impl_, watcher, detail::system_kind::unwatch_target, target)) return;
  impl_->unwatch(target, watcher);
}

std::uint64_t engine::inbox_mark(const pid& target) const noexcept {
  if (!target || target.target()->kind() != detail::target_kind::process) return 0;
  return static_cast<const detail::process*>(target.target())->inbox_mark();
}

bool engine::inbox_passed(const pid& target, std::uint64_t mark) const noexcept {
  if (!target || target.target()->kind() != detail::target_kind::process) return true;
  return static_cast<const detail::process*>(target.target())->inbox_passed(mark);
}

void engine::dead_letter(const pid& target, message msg, const pid& sender,
                         dead_letter_reason reason, std::string detail) {
  impl_->dead_letter(target, std::move(msg), sender, reason, std::move(detail));
}

void engine::set_dead_letter_rewrite(dead_letter_rewrite fn) {
  impl_->set_dead_letter_rewrite(std::move(fn));
}

const engine_config& engine::config() const noexcept {
  return impl_->config();
}

}  // namespace hollywood::actor
