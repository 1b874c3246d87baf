// SPDX-License-Identifier: MIT
#include "host.hpp"

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/actor/supervision.hpp>
#include <hollywood/cluster/events.hpp>
#include <hollywood/cluster/placement.hpp>

#include "cluster.pb.h"
#include "messages.hpp"

#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace hollywood::cluster::detail {
namespace {

/// Kinds nobody in the view hosts (yet) for which messages may wait; a bound, because every
/// such kind costs a shard table.
constexpr std::size_t max_unhosted_kinds = 64;
/// How often a member still waiting for a shard asks its previous owner again.
constexpr auto acquire_retry = std::chrono::milliseconds(1000);

enum class shard_state : std::uint8_t {
  routed,     // another member owns it (or nobody does yet): pass messages on, or wait
  acquiring,  // ours by placement; waiting for the previous owner to release it
  claiming,   // ours by placement; waiting for the provider's claim
  active,     // served here
  draining,   // no longer ours: stopping its activations before releasing it
};

struct waiting_msg {
  std::string id;
  actor::message payload;
  actor::pid sender;
  clock::time_point since;
  std::uint32_t hops = 0;
  // Came back from an activation that stopped serving: older than anything queued for its id.
  bool bounced = false;
};

struct shard_slot {
  shard_state state = shard_state::routed;
  std::string owner;   // routed: the owner ("" none); acquiring: the previous owner
  bool known = false;  // placement was computed at least once
  bool claim_refused = false;
  // routed: its owner released it to us before leaving (a hand-off, so no failover).
  bool handed_off = false;
  clock::time_point asked{};
  std::deque<waiting_msg> waiting;
  std::unordered_set<std::string> live;  // ids with an activation here
};

struct kind_slot {
  std::string name;
  int local = -1;  // index into the hosted kinds, -1 if this member does not host it
  std::vector<shard_slot> shards;
};

struct activation {
  actor::pid pid;
  std::string kind;
  std::string id;
  std::uint32_t shard = 0;
  clock::time_point last_used;
  bool stopping = false;
  deactivation_reason reason = deactivation_reason::stopped;
  std::deque<waiting_msg> held;  // arrived while it was stopping
};

bool is_lifecycle(actor::context& ctx) {
  return ctx.is<actor::initialized>() || ctx.is<actor::started>() || ctx.is<actor::stopped>();
}

/// Wraps an activation's receive: a message that arrives after its shard stopped being served
/// here (a hand-off, or the fence closed) goes back to the host instead of being handled.
actor::middleware fence(std::shared_ptr<cluster_impl> impl, int kind, std::uint32_t shard,
                        std::string kind_name, std::string id) {
  return [impl = std::move(impl), kind, shard, kind_name = std::move(kind_name),
          id = std::move(id)](actor::receive_fn next) -> actor::receive_fn {
    return [impl, kind, shard, kind_name, id, next = std::move(next)](actor::context& ctx) {
      if (impl->serving(kind, shard) || is_lifecycle(ctx)) {
        next(ctx);
        return;
      }
      ctx.engine().send(impl->host, bounced{kind_name, id, std::move(ctx.message()), ctx.sender()});
    };
  };
}

class host final : public actor::receiver {
 public:
  explicit host(std::shared_ptr<cluster_impl> impl) : impl_(std::move(impl)) {
    for (const kind_config& k : impl_->config.kinds)
      slot(k.name);
  }

  void receive(actor::context& ctx) override {
    ctx_ = &ctx;
    if (auto* r = ctx.get_if<routed>()) {
      impl_->last_arrival_ns.store(now_ns(), std::memory_order_relaxed);
      on_routed(*r);
    } else if (auto* d = ctx.get_if<Deliver>()) {
      impl_->last_arrival_ns.store(now_ns(), std::memory_order_relaxed);
      on_deliver(*d);
    } else if (auto* b = ctx.get_if<bounced>()) {
      on_bounced(*b);
    } else if (auto* t = ctx.get_if<actor::terminated>()) {
      on_terminated(*t);
    } else if (ctx.is<tick>()) {
      on_tick();
    } else if (auto* v = ctx.get_if<view_update>()) {
      on_view(*v);
    } else if (auto* a = ctx.get_if<AcquireShard>()) {
      on_acquire(*a);
    } else if (auto* rel = ctx.get_if<ShardReleased>()) {
      on_released(*rel);
    } else if (auto* c = ctx.get_if<claim_result>()) {
      on_claim(*c);
    } else if (ctx.is<self_declared_dead>()) {
      on_self_dead();
    } else if (auto* d2 = ctx.get_if<drain_all>()) {
      on_drain_all(*d2);
    } else if (ctx.is<actor::started>()) {
      tick_ = ctx.send_repeat(ctx.self(), tick{}, impl_->config.tick);
    } else if (ctx.is<actor::stopped>()) {
      on_stopped();
    }
    ctx_ = nullptr;
  }

 private:
  // -- incoming ------------------------------------------------------------------------------

  void on_routed(routed& r) {
    if (!r.target || r.shard >= impl_->config.shard_count) return;
    kind_slot* k = slot(r.target->kind);
    waiting_msg m{r.target->id, std::move(r.payload), ctx_->sender(), clock::now()};
    if (k == nullptr) {
      reject(r.target->kind, std::move(m), actor::dead_letter_reason::unknown_target,
             "cluster: too many kinds that no member hosts");
      return;
    }
    route(*k, r.shard, std::move(m));
  }

  void on_deliver(Deliver& d) {
    waiting_msg m{d.id(), {}, ctx_->sender(), clock::now(), d.hops()};
    const remote::codec* c = impl_->remote.types().by_name(d.type());
    if (c == nullptr || d.kind().empty() || d.id().empty()) {
      std::string why = c == nullptr ? "cluster: no codec for " + d.type() : "cluster: no identity";
      std::string kind = d.kind();
      m.payload = actor::message(std::move(d));
      reject(kind, std::move(m), actor::dead_letter_reason::unknown_type, std::move(why));
      return;
    }
    auto decoded = c->decode(d.payload());
    if (!decoded) {
      std::string kind = d.kind();
      m.payload = actor::message(std::move(d));
      reject(kind, std::move(m), actor::dead_letter_reason::unknown_type,
             "cluster: payload does not decode");
      return;
    }
    m.payload = std::move(*decoded);
    kind_slot* k = slot(d.kind());
    if (k == nullptr) {
      reject(d.kind(), std::move(m), actor::dead_letter_reason::unknown_target,
             "cluster: too many kinds that no member hosts");
      return;
    }
    route(*k, shard_of(d.kind(), d.id(), impl_->config.shard_count), std::move(m));
  }

  void on_bounced(bounced& b) {
    kind_slot* k = slot(b.kind);
    if (k == nullptr) return;  // hosted kinds always have a slot
    const std::uint32_t s = shard_of(b.kind, b.id, impl_->config.shard_count);
    waiting_msg m{std::move(b.id), std::move(b.payload), std::move(b.sender), clock::now()};
    m.bounced = true;
    park(*k, s, std::move(m));
    flush(*k, s);
  }

  void on_terminated(const actor::terminated& t) {
    auto bp = by_pid_.find(t.actor);
    if (bp == by_pid_.end()) return;
    auto it = acts_.find(bp->second);
    by_pid_.erase(bp);
    if (it == acts_.end()) return;
    activation a = std::move(it->second);
    acts_.erase(it);
    const deactivation_reason why = a.stopping ? a.reason : deactivation_reason::stopped;
    if (why == deactivation_reason::passivated) {
      impl_->passivations.fetch_add(1, std::memory_order_relaxed);
    }
    impl_->engine.broadcast_event(actor_deactivated_event{a.kind, a.id, impl_->name, why});
    kind_slot* k = slot(a.kind);
    if (k == nullptr) return;
    shard_slot& sh = k->shards[a.shard];
    sh.live.erase(a.id);
    // What arrived while it stopped is older than anything not yet routed for this id.
    for (auto& m : a.held) {
      m.bounced = true;
      park(*k, a.shard, std::move(m));
    }
    if (sh.state == shard_state::draining && sh.live.empty()) {
      finish_drain(*k, a.shard);
    } else {
      flush(*k, a.shard);
    }
  }

  void on_view(view_update& v) {
    members_.clear();
    in_view_ = false;
    for (auto& m : v.members) {
      if (m.name == impl_->name) {
        in_view_ = m.incarnation == impl_->incarnation.load(std::memory_order_relaxed);
      } else if (!hosts_.contains(m.name) || hosts_[m.name].address() != m.address) {
        hosts_[m.name] = actor::pid(m.address, host_id);
      }
      for (const auto& kind : m.kinds)
        slot(kind);
      members_.emplace(m.name, std::move(m));
    }
    for (auto& [name, k] : kinds_) {
      for (std::uint32_t s = 0; s < impl_->config.shard_count; ++s)
        reconsider(k, s);
    }
    check_leave_done();
  }

  void on_acquire(const AcquireShard& a) {
    kind_slot* k = existing_slot(a.kind());
    if (a.shard() >= impl_->config.shard_count) return;
    if (k != nullptr) {
      shard_slot& sh = k->shards[a.shard()];
      if (sh.state == shard_state::active) {
        if (owner_of(*k, a.shard(), false) == a.from()) begin_drain(*k, a.shard());
        return;  // otherwise our views disagree: the asker retries once they converge
      }
      if (sh.state == shard_state::draining) return;  // the release follows when it is done
    }
    ShardReleased r;
    r.set_kind(a.kind());
    r.set_shard(a.shard());
    r.set_from(impl_->name);
    ctx_->send(ctx_->sender(), std::move(r));
  }

  void on_released(const ShardReleased& r) {
    kind_slot* k = existing_slot(r.kind());
    if (k == nullptr || r.shard() >= impl_->config.shard_count) return;
    shard_slot& sh = k->shards[r.shard()];
    if (sh.state == shard_state::routed && sh.owner == r.from()) sh.handed_off = true;
    if (sh.state == shard_state::acquiring && sh.owner == r.from()) begin_claim(*k, r.shard());
  }

  void on_claim(const claim_result& c) {
    kind_slot* k = existing_slot(c.kind);
    if (k == nullptr || c.shard >= impl_->config.shard_count) return;
    shard_slot& sh = k->shards[c.shard];
    if (sh.state != shard_state::claiming) {
      if (c.granted) impl_->backend->release(c.kind, c.shard);  // no longer wanted
      return;
    }
    if (!c.granted) {
      sh.claim_refused = true;  // retried by the tick
      return;
    }
    if (owner_of(*k, c.shard, false) == impl_->name) {
      activate_shard(*k, c.shard);
    } else {
      impl_->backend->release(c.kind, c.shard);
      set_routed(*k, c.shard, owner_of(*k, c.shard, false));
    }
  }

  void on_self_dead() {
    for (auto& [name, k] : kinds_) {
      for (std::uint32_t s = 0; s < impl_->config.shard_count; ++s) {
        shard_slot& sh = k.shards[s];
        if (sh.state == shard_state::active || sh.state == shard_state::draining) {
          impl_->set_serving(k.local, s, false);
          if (sh.state == shard_state::active) {
            impl_->shards_owned.fetch_sub(1, std::memory_order_relaxed);
          }
          stop_activations(k, s);
        }
        sh.state = shard_state::routed;
        sh.owner.clear();
        sh.known = false;  // the next view decides afresh, asking whoever took over
      }
    }
    in_view_ = false;
  }

  void on_drain_all(drain_all& d) {
    leaving_ = true;
    leave_waiters_.push_back(std::move(d.done));
    for (auto& [name, k] : kinds_) {
      for (std::uint32_t s = 0; s < impl_->config.shard_count; ++s)
        reconsider(k, s);
    }
    check_leave_done();
  }

  void on_stopped() {
    tick_.stop();
    // What still waits here has nowhere to go once the host is gone: dead letters, not silence.
    constexpr const char* why =
        "cluster: the host stopped (the member left, or the host restarted) before the message "
        "reached an owner";
    for (auto& [name, k] : kinds_) {
      for (shard_slot& sh : k.shards) {
        std::deque<waiting_msg> waiting;
        waiting.swap(sh.waiting);
        for (auto& m : waiting)
          reject(k.name, std::move(m), actor::dead_letter_reason::stopped, why);
      }
    }
    for (auto& [key, a] : acts_) {
      for (auto& m : a.held)
        reject(a.kind, std::move(m), actor::dead_letter_reason::stopped, why);
      a.held.clear();
    }
    for (auto& w : leave_waiters_)
      w->set_value();
    leave_waiters_.clear();
  }

  void on_tick() {
    const auto now = clock::now();
    for (auto& [name, k] : kinds_) {
      for (std::uint32_t s = 0; s < impl_->config.shard_count; ++s) {
        shard_slot& sh = k.shards[s];
        if (sh.state == shard_state::acquiring && now - sh.asked >= acquire_retry) {
          ask_release(k, s);
        } else if (sh.state == shard_state::claiming && sh.claim_refused) {
          sh.claim_refused = false;
          impl_->backend->claim(k.name, s);
        }
        expire(k, s, now);
        if (!sh.waiting.empty()) {
          for (auto& m : sh.waiting)
            m.hops = 0;  // views may have converged since
          flush(k, s);
        }
      }
    }
    passivate(now);
  }

  // -- routing -------------------------------------------------------------------------------

  void route(kind_slot& k, std::uint32_t s, waiting_msg&& m) {
    shard_slot& sh = k.shards[s];
    if (!sh.known) reconsider(k, s);
    const bool queue_empty = sh.waiting.empty();
    if (sh.state == shard_state::active && queue_empty && impl_->may_serve()) {
      deliver_local(k, s, std::move(m));
    } else if (sh.state == shard_state::routed && queue_empty && !sh.owner.empty() &&
               m.hops < impl_->config.max_hops) {
      send_remote(k, sh.owner, std::move(m));
    } else {
      park(k, s, std::move(m));
    }
  }

  void park(kind_slot& k, std::uint32_t s, waiting_msg&& m) {
    shard_slot& sh = k.shards[s];
    if (sh.waiting.size() >= impl_->config.pending_per_shard) {
      reject(k.name, std::move(m), actor::dead_letter_reason::inbox_full,
             "cluster: too many messages waiting for the shard's owner");
      return;
    }
    if (m.bounced) {
      // Before the first message for the same id that has not been to the activation yet.
      auto pos = sh.waiting.begin();
      while (pos != sh.waiting.end() && (pos->id != m.id || pos->bounced))
        ++pos;
      sh.waiting.insert(pos, std::move(m));
    } else {
      sh.waiting.push_back(std::move(m));
    }
  }

  void flush(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    if (sh.waiting.empty()) return;
    if (sh.state == shard_state::active) {
      if (!impl_->may_serve()) return;
    } else if (sh.state != shard_state::routed || sh.owner.empty()) {
      return;
    }
    std::deque<waiting_msg> batch;
    batch.swap(sh.waiting);
    for (auto& m : batch) {
      m.bounced = false;
      if (sh.state == shard_state::active) {
        deliver_local(k, s, std::move(m));
      } else if (m.hops < impl_->config.max_hops) {
        send_remote(k, sh.owner, std::move(m));
      } else {
        sh.waiting.push_back(std::move(m));
      }
    }
  }

  void deliver_local(kind_slot& k, std::uint32_t s, waiting_msg&& m) {
    std::string key = k.name + '/' + m.id;
    auto it = acts_.find(key);
    if (it == acts_.end()) {
      const kind_config& kc = impl_->config.kinds[static_cast<std::size_t>(k.local)];
      auto opts = kc.options.with_id(m.id);
      opts.middleware.insert(opts.middleware.begin(), fence(impl_, k.local, s, k.name, m.id));
      actor::pid p = ctx_->spawn_child(kc.make, k.name, std::move(opts));
      if (!p) {
        reject(k.name, std::move(m), actor::dead_letter_reason::engine_stopped,
               "cluster: the activation could not be spawned");
        return;
      }
      ctx_->watch(p);
      by_pid_[p] = key;
      k.shards[s].live.insert(m.id);
      impl_->activations.fetch_add(1, std::memory_order_relaxed);
      impl_->engine.broadcast_event(actor_activated_event{k.name, m.id, impl_->name});
      activation a;
      a.pid = p;
      a.kind = k.name;
      a.id = m.id;
      a.shard = s;
      a.last_used = clock::now();
      it = acts_.emplace(std::move(key), std::move(a)).first;
    }
    activation& a = it->second;
    if (a.stopping) {
      a.held.push_back(std::move(m));
      return;
    }
    a.last_used = clock::now();
    impl_->engine.send_message(a.pid, std::move(m.payload), m.sender);
  }

  void send_remote(kind_slot& k, const std::string& owner, waiting_msg&& m) {
    auto h = hosts_.find(owner);
    const remote::codec* c = impl_->remote.types().by_type(m.payload.type_id());
    std::string bytes;
    if (h == hosts_.end() || c == nullptr || !c->encode(m.payload, bytes)) {
      reject(k.name, std::move(m), actor::dead_letter_reason::unknown_type,
             "cluster: the payload type has no codec, so it cannot reach member " + owner);
      return;
    }
    Deliver d;
    d.set_kind(k.name);
    d.set_id(std::move(m.id));
    d.set_type(std::string(c->name()));
    d.set_payload(std::move(bytes));
    d.set_hops(m.hops + 1);
    impl_->forwarded.fetch_add(1, std::memory_order_relaxed);
    impl_->engine.send_with_sender(h->second, std::move(d), m.sender);
  }

  void reject(std::string_view kind, waiting_msg&& m, actor::dead_letter_reason why,
              std::string detail) {
    impl_->dead_letters.fetch_add(1, std::memory_order_relaxed);
    std::string id(kind);
    id.push_back('/');
    id.append(m.id);
    impl_->engine.dead_letter(actor::pid(impl_->address, id), std::move(m.payload), m.sender, why,
                              std::move(detail));
  }

  void expire(kind_slot& k, std::uint32_t s, clock::time_point now) {
    auto& w = k.shards[s].waiting;
    std::deque<waiting_msg> keep;
    bool any = false;
    for (auto& m : w) {
      if (now - m.since >= impl_->config.pending_timeout) {
        any = true;
        break;
      }
    }
    if (!any) return;
    for (auto& m : w) {
      if (now - m.since >= impl_->config.pending_timeout) {
        reject(k.name, std::move(m), actor::dead_letter_reason::unreachable,
               "cluster: no member served the shard within the pending timeout");
      } else {
        keep.push_back(std::move(m));
      }
    }
    w.swap(keep);
  }

  // -- shard ownership -----------------------------------------------------------------------

  /// The placement owner of shard `s` in this member's view ("" if nobody hosts the kind).
  [[nodiscard]] std::string owner_of(const kind_slot& k, std::uint32_t s, bool exclude_self) const {
    const std::string* best = nullptr;
    std::uint64_t best_score = 0;
    auto consider = [&](const std::string& name) {
      const std::uint64_t score = rendezvous_score(k.name, s, name);
      if (best == nullptr || score > best_score || (score == best_score && name < *best)) {
        best = &name;
        best_score = score;
      }
    };
    for (const auto& [name, m] : members_) {
      if (name == impl_->name) continue;  // self counts below, and only while it may
      for (const auto& kind : m.kinds) {
        if (kind == k.name) {
          consider(name);
          break;
        }
      }
    }
    if (!exclude_self && in_view_ && !leaving_ && k.local >= 0) consider(impl_->name);
    return best != nullptr ? *best : std::string();
  }

  void reconsider(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    const std::string next = owner_of(k, s, false);
    const bool mine = !next.empty() && next == impl_->name;
    switch (sh.state) {
      case shard_state::routed:
        if (mine) {
          begin_acquire(k, s, sh.known ? sh.owner : owner_of(k, s, true));
        } else {
          set_routed(k, s, next);
        }
        break;
      case shard_state::acquiring:
        if (!mine) {
          set_routed(k, s, next);
        } else if (!members_.contains(sh.owner)) {
          impl_->failovers.fetch_add(1, std::memory_order_relaxed);
          begin_claim(k, s);  // the previous owner is gone, and it fenced itself first
        }
        break;
      case shard_state::claiming:
        if (!mine) set_routed(k, s, next);  // a late grant is released in on_claim
        break;
      case shard_state::active:
        if (!mine) begin_drain(k, s);
        break;
      case shard_state::draining:
        break;  // finish_drain looks again
    }
    sh.known = true;
  }

  void set_routed(kind_slot& k, std::uint32_t s, const std::string& owner) {
    shard_slot& sh = k.shards[s];
    const bool moved = sh.owner != owner;
    if (moved && sh.known) {
      impl_->engine.broadcast_event(shard_moved_event{k.name, s, sh.owner, owner});
    }
    if (moved) sh.handed_off = false;
    sh.state = shard_state::routed;
    sh.owner = owner;
    flush(k, s);
  }

  void begin_acquire(kind_slot& k, std::uint32_t s, const std::string& previous) {
    shard_slot& sh = k.shards[s];
    const bool gone = !previous.empty() && previous != impl_->name && !members_.contains(previous);
    if (gone && !std::exchange(sh.handed_off, false)) {
      impl_->failovers.fetch_add(1, std::memory_order_relaxed);  // it died holding the shard
    }
    if (previous.empty() || previous == impl_->name || gone) {
      begin_claim(k, s);
      return;
    }
    sh.state = shard_state::acquiring;
    sh.owner = previous;
    ask_release(k, s);
  }

  void ask_release(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    sh.asked = clock::now();
    auto h = hosts_.find(sh.owner);
    if (h == hosts_.end()) return;
    AcquireShard a;
    a.set_kind(k.name);
    a.set_shard(s);
    a.set_from(impl_->name);
    impl_->engine.send_with_sender(h->second, std::move(a), impl_->host);
  }

  void begin_claim(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    if (!impl_->backend->needs_claims()) {
      activate_shard(k, s);
      return;
    }
    sh.state = shard_state::claiming;
    sh.claim_refused = false;
    impl_->backend->claim(k.name, s);
  }

  void activate_shard(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    const std::string previous = sh.owner;
    sh.state = shard_state::active;
    sh.owner = impl_->name;
    impl_->set_serving(k.local, s, true);
    impl_->shards_owned.fetch_add(1, std::memory_order_relaxed);
    impl_->shards_acquired.fetch_add(1, std::memory_order_relaxed);
    impl_->engine.broadcast_event(shard_moved_event{k.name, s, previous, impl_->name});
    flush(k, s);
  }

  void begin_drain(kind_slot& k, std::uint32_t s) {
    shard_slot& sh = k.shards[s];
    sh.state = shard_state::draining;
    impl_->set_serving(k.local, s, false);
    impl_->shards_owned.fetch_sub(1, std::memory_order_relaxed);
    stop_activations(k, s);
    if (sh.live.empty()) finish_drain(k, s);
  }

  void stop_activations(kind_slot& k, std::uint32_t s) {
    for (const std::string& id : k.shards[s].live) {
      auto it = acts_.find(k.name + '/' + id);
      if (it == acts_.end() || it->second.stopping) continue;
      it->second.stopping = true;
      it->second.reason = deactivation_reason::shard_moved;
      // Poison, not stop: what is queued reaches the fence middleware, which sends it back.
      ctx_->poison(it->second.pid);
    }
  }

  void finish_drain(kind_slot& k, std::uint32_t s) {
    if (impl_->backend->needs_claims()) impl_->backend->release(k.name, s);
    impl_->shards_released.fetch_add(1, std::memory_order_relaxed);
    const std::string next = owner_of(k, s, false);
    if (next == impl_->name) {
      begin_claim(k, s);  // placement came back to us while draining
      return;
    }
    shard_slot& sh = k.shards[s];
    sh.owner = impl_->name;
    if (auto h = hosts_.find(next); h != hosts_.end()) {
      ShardReleased r;
      r.set_kind(k.name);
      r.set_shard(s);
      r.set_from(impl_->name);
      impl_->engine.send_with_sender(h->second, std::move(r), impl_->host);
    }
    set_routed(k, s, next);
    check_leave_done();
  }

  void passivate(clock::time_point now) {
    for (auto& [key, a] : acts_) {
      if (a.stopping) continue;
      kind_slot* k = existing_slot(a.kind);
      if (k == nullptr || k->local < 0) continue;
      const auto ttl = impl_->config.kinds[static_cast<std::size_t>(k->local)].passivation_ttl;
      if (ttl.count() <= 0 || now - a.last_used < ttl) continue;
      a.stopping = true;
      a.reason = deactivation_reason::passivated;
      ctx_->poison(a.pid);
    }
  }

  void check_leave_done() {
    if (!leaving_ || leave_waiters_.empty()) return;
    for (auto& [name, k] : kinds_) {
      for (const shard_slot& sh : k.shards) {
        if (sh.state != shard_state::routed) return;
      }
    }
    for (auto& w : leave_waiters_)
      w->set_value();
    leave_waiters_.clear();
  }

  // -- kind table ----------------------------------------------------------------------------

  kind_slot* existing_slot(std::string_view kind) {
    auto it = kinds_.find(std::string(kind));
    return it == kinds_.end() ? nullptr : &it->second;
  }

  kind_slot* slot(std::string_view kind) {
    if (kind_slot* k = existing_slot(kind)) return k;
    const int local = impl_->local_kind(kind);
    if (local < 0 && ++unhosted_ > max_unhosted_kinds) return nullptr;
    kind_slot k{std::string(kind), local, std::vector<shard_slot>(impl_->config.shard_count)};
    return &kinds_.emplace(std::string(kind), std::move(k)).first->second;
  }

  std::shared_ptr<cluster_impl> impl_;
  actor::context* ctx_ = nullptr;
  std::unordered_map<std::string, kind_slot> kinds_;
  std::size_t unhosted_ = 0;
  std::unordered_map<std::string, member_info> members_;  // the view, by name
  std::unordered_map<std::string, actor::pid> hosts_;     // member name -> its host actor
  std::unordered_map<std::string, activation> acts_;      // "kind/id"
  std::unordered_map<actor::pid, std::string> by_pid_;
  bool in_view_ = false;
  bool leaving_ = false;
  std::vector<std::shared_ptr<std::promise<void>>> leave_waiters_;
  actor::timer tick_;
};

}  // namespace

actor::producer make_host(std::shared_ptr<cluster_impl> impl) {
  return [impl]() -> std::unique_ptr<actor::receiver> { return std::make_unique<host>(impl); };
}

}  // namespace hollywood::cluster::detail
