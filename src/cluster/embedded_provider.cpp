// SPDX-License-Identifier: MIT
#include "embedded_provider.hpp"

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/cluster/events.hpp>

#include "cluster.pb.h"
#include "messages.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <limits>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hollywood::cluster::detail {
namespace {

enum wire_status : std::uint32_t { alive = 0, suspect = 1, dead = 2, left = 3 };

/// Dead incarnations remembered (and gossiped) so they are refused if they come back.
constexpr std::size_t max_remembered_dead = 256;

struct peer {
  std::string address;
  std::uint64_t incarnation = 0;
  std::vector<std::string> kinds;
  bool suspected = false;
  clock::time_point heard;  // any heartbeat or probe answer from it
  // When we sent the newest heartbeat of ours it confirmed having received (our clock): the
  // fence counts from our own send time, never from a confirmation's arrival.
  clock::time_point confirmed_me{};
  std::int64_t their_sent_at = 0;  // `sent_at` of its newest heartbeat we got (its clock)
  clock::time_point suspected_at{};
  actor::pid membership;
};

class membership final : public actor::receiver {
 public:
  explicit membership(std::shared_ptr<cluster_impl> impl) : impl_(std::move(impl)) {
    const auto& seeds = impl_->config.embedded.seeds;
    for (const auto& s : seeds) {
      if (s != impl_->address) seed_pids_.emplace_back(s, membership_id);
    }
  }

  void receive(actor::context& ctx) override {
    ctx_ = &ctx;
    if (auto* h = ctx.get_if<Heartbeat>()) {
      on_heartbeat(*h);
    } else if (ctx.is<tick>()) {
      on_tick();
    } else if (auto* pr = ctx.get_if<ProbeRequest>()) {
      on_probe_request(*pr);
    } else if (auto* rep = ctx.get_if<ProbeReply>()) {
      on_probe_reply(*rep);
    } else if (auto* l = ctx.get_if<Leaving>()) {
      on_leaving(*l);
    } else if (auto* r = ctx.get_if<Refused>()) {
      on_refused(*r);
    } else if (auto* a = ctx.get_if<announce_leave>()) {
      on_announce_leave(*a);
    } else if (ctx.is<actor::started>()) {
      last_tick_ = clock::now();
      // Checks run four times per heartbeat, so detection is not late by up to a whole period.
      tick_ = ctx.send_repeat(ctx.self(), tick{}, impl_->config.embedded.heartbeat_interval / 4);
      send_heartbeats();
      publish();
    } else if (ctx.is<actor::stopped>()) {
      tick_.stop();
    }
    ctx_ = nullptr;
  }

 private:
  [[nodiscard]] std::uint64_t me() const {
    return impl_->incarnation.load(std::memory_order_relaxed);
  }
  [[nodiscard]] clock::duration silence_limit() const {
    return impl_->config.embedded.heartbeat_interval * impl_->config.embedded.suspect_after_misses;
  }

  // -- heartbeats ----------------------------------------------------------------------------

  void fill(Member& m, const std::string& name, const std::string& address, std::uint64_t inc,
            const std::vector<std::string>& kinds, std::uint32_t status) const {
    m.set_name(name);
    m.set_address(address);
    m.set_incarnation(inc);
    for (const auto& k : kinds)
      m.add_kinds(k);
    m.set_status(status);
  }

  [[nodiscard]] Heartbeat heartbeat() const {
    Heartbeat h;
    h.set_cluster(impl_->config.cluster_name);
    h.set_shard_count(impl_->config.shard_count);
    fill(*h.mutable_from(), impl_->name, impl_->address, me(), kinds_, alive);
    h.set_sent_at(now_ns());
    for (const auto& [name, p] : peers_) {
      Member& m = *h.add_members();
      // Kinds too: a member heard of through gossip is placed at once, the same by everyone.
      fill(m, name, p.address, p.incarnation, p.kinds, p.suspected ? suspect : alive);
      m.set_echo(p.their_sent_at);
    }
    for (const auto& [name, inc, how] : dead_order_) {
      fill(*h.add_members(), name, {}, inc, {}, how);
    }
    return h;
  }

  void send_heartbeats() {
    if (leaving_) return;
    last_beat_ = clock::now();
    const Heartbeat h = heartbeat();
    std::set<std::string> sent;
    for (const auto& p : seed_pids_) {
      sent.emplace(p.address());
      ctx_->send(p, Heartbeat(h));
    }
    for (const auto& [name, p] : peers_) {
      if (sent.emplace(p.address).second) ctx_->send(p.membership, Heartbeat(h));
    }
  }

  void on_heartbeat(const Heartbeat& h) {
    const Member& from = h.from();
    if (leaving_ || from.name().empty() || from.address().empty()) return;
    if (h.cluster() != impl_->config.cluster_name || h.shard_count() != impl_->config.shard_count) {
      refuse(fmt_refusal(h), false, from.incarnation());
      return;
    }
    if (from.name() == impl_->name) {
      actor::write_log(actor::log_level::warn, "cluster: another member calls itself " +
                                                   impl_->name + " (" + from.address() +
                                                   "); ignored");
      return;
    }
    if (dead_.contains({from.name(), from.incarnation()})) {
      refuse("incarnation " + std::to_string(from.incarnation()) + " of " + from.name() +
                 " was declared dead; rejoin with a new one",
             true, from.incarnation());
      return;
    }
    const auto now = clock::now();
    bool changed = false;
    auto it = peers_.find(from.name());
    if (it != peers_.end() && it->second.incarnation != from.incarnation()) {
      if (from.incarnation() < it->second.incarnation) return;  // a stale heartbeat
      bury(it->first, it->second, leave_reason::replaced);
      peers_.erase(it);
      it = peers_.end();
    }
    if (it == peers_.end()) {
      it = admit(from.name(), from.address(), from.incarnation(),
                 {from.kinds().begin(), from.kinds().end()});
      it->second.their_sent_at = h.sent_at();
      changed = true;
      send_heartbeat_to(it->second);  // a newcomer learns the view at once
    }
    peer& p = it->second;
    p.their_sent_at = std::max(p.their_sent_at, h.sent_at());
    std::vector<std::string> kinds(from.kinds().begin(), from.kinds().end());
    if (kinds != p.kinds || p.address != from.address()) {
      p.kinds = std::move(kinds);
      if (p.address != from.address()) {
        p.address = from.address();
        p.membership = actor::pid(p.address, membership_id);
      }
      changed = true;
    }
    p.heard = now;
    if (p.suspected) {
      p.suspected = false;
      changed = true;
    }
    for (const Member& m : h.members())
      changed |= gossip(m, p);
    update_fence();
    if (changed) publish();
  }

  /// One entry of a peer's view; returns whether ours changed.
  bool gossip(const Member& m, peer& from) {
    if (m.name() == impl_->name) {
      if (m.incarnation() != me()) return false;
      if (m.status() == dead || m.status() == left) {
        declared_dead();
        return true;
      }
      if (m.status() == alive && m.echo() > 0) {
        const clock::time_point sent{std::chrono::nanoseconds(m.echo())};
        from.confirmed_me = std::max(from.confirmed_me, sent);
      }
      return false;
    }
    if (m.status() == dead || m.status() == left) {
      if (dead_.contains({m.name(), m.incarnation()})) return false;
      remember_dead(m.name(), m.incarnation(), m.status());
      auto it = peers_.find(m.name());
      if (it == peers_.end() || it->second.incarnation != m.incarnation()) return false;
      bury(it->first, it->second, m.status() == left ? leave_reason::graceful : leave_reason::dead);
      peers_.erase(it);
      return true;
    }
    if (m.address().empty() || dead_.contains({m.name(), m.incarnation()})) return false;
    auto it = peers_.find(m.name());
    if (it != peers_.end()) {
      if (it->second.incarnation >= m.incarnation()) return false;
      bury(it->first, it->second, leave_reason::replaced);
      peers_.erase(it);
    }
    // Heard of, not from: it gets a full silence window to reach us directly.
    admit(m.name(), m.address(), m.incarnation(), {m.kinds().begin(), m.kinds().end()});
    return true;
  }

  std::unordered_map<std::string, peer>::iterator admit(const std::string& name,
                                                        const std::string& address,
                                                        std::uint64_t inc,
                                                        std::vector<std::string> kinds) {
    peer p;
    p.address = address;
    p.incarnation = inc;
    p.kinds = std::move(kinds);
    p.heard = clock::now();
    p.membership = actor::pid(address, membership_id);
    impl_->engine.broadcast_event(member_joined_event{name, address, inc});
    return peers_.emplace(name, std::move(p)).first;
  }

  void bury(const std::string& name, const peer& p, leave_reason why) {
    remember_dead(name, p.incarnation, why == leave_reason::graceful ? left : dead);
    impl_->engine.broadcast_event(member_left_event{name, p.address, p.incarnation, why});
  }

  void remember_dead(const std::string& name, std::uint64_t inc, std::uint32_t how) {
    if (!dead_.emplace(name, inc).second) return;
    dead_order_.emplace_back(name, inc, how);
    if (dead_order_.size() > max_remembered_dead) {
      auto& [n, i, h] = dead_order_.front();
      dead_.erase({n, i});
      dead_order_.pop_front();
    }
  }

  void send_heartbeat_to(const peer& p) { ctx_->send(p.membership, heartbeat()); }

  void refuse(std::string reason, bool is_dead, std::uint64_t inc) {
    Refused r;
    r.set_reason(std::move(reason));
    r.set_dead(is_dead);
    r.set_incarnation(inc);
    ctx_->send(ctx_->sender(), std::move(r));
  }

  [[nodiscard]] std::string fmt_refusal(const Heartbeat& h) const {
    if (h.cluster() != impl_->config.cluster_name) {
      return "cluster name '" + h.cluster() + "' differs from '" + impl_->config.cluster_name + "'";
    }
    return "shard count " + std::to_string(h.shard_count()) + " differs from " +
           std::to_string(impl_->config.shard_count) + " (the shard count is fixed cluster-wide)";
  }

  void on_refused(const Refused& r) {
    if (r.dead()) {
      if (r.incarnation() == me()) declared_dead();
      return;
    }
    // Configuration mismatch: this member cannot join; say so now and then, not every beat.
    const auto now = clock::now();
    if (now - last_refusal_log_ >= std::chrono::seconds(5)) {
      last_refusal_log_ = now;
      actor::write_log(actor::log_level::error, "cluster: " + impl_->name + " refused by " +
                                                    std::string(ctx_->sender().address()) + ": " +
                                                    r.reason());
    }
  }

  /// The cluster buried this incarnation (we were silent too long, e.g. frozen): stop serving
  /// at once and come back as a new member with a new incarnation.
  void declared_dead() {
    const std::uint64_t old = me();
    const std::uint64_t fresh = impl_->fresh_incarnation();
    impl_->incarnation.store(fresh, std::memory_order_relaxed);
    actor::write_log(actor::log_level::warn,
                     "cluster: " + impl_->name + " incarnation " + std::to_string(old) +
                         " was declared dead; rejoining as " + std::to_string(fresh));
    for (auto& [name, p] : peers_)
      p.confirmed_me = {};
    update_fence();
    impl_->engine.send(impl_->host, self_declared_dead{});
    publish();
    send_heartbeats();
  }

  // -- failure detection ---------------------------------------------------------------------

  void on_tick() {
    // A leaving member reads no heartbeats, so its peers' silence says nothing: detecting it
    // would bury them during the linger, and the host would have nobody to forward to. The view
    // stays as it was when we left; the peers learn of the leave from our Leaving message.
    if (leaving_) return;
    const auto now = clock::now();
    const auto interval = impl_->config.embedded.heartbeat_interval;
    if (now - last_tick_ > 2 * interval) {
      // We did not run for several periods (frozen, starved): our silence readings say more
      // about us than about them. Restart every window instead of accusing anyone.
      for (auto& [name, p] : peers_)
        p.heard = now;
    }
    last_tick_ = now;
    if (now - last_beat_ >= interval) send_heartbeats();
    bool changed = false;
    std::size_t silent = 0;
    for (auto& [name, p] : peers_) {
      if (now - p.heard > silence_limit()) ++silent;
    }
    // Lifeguard's rule: when most peers look silent at once, the fault is likely ours.
    const bool trust_self = peers_.size() < 2 || silent * 2 <= peers_.size();
    std::vector<std::string> gone;
    for (auto& [name, p] : peers_) {
      if (now - p.heard <= silence_limit()) continue;
      if (!p.suspected) {
        p.suspected = true;
        p.suspected_at = now;
        changed = true;
        impl_->engine.broadcast_event(member_suspected_event{name, p.address, p.incarnation});
        ask_probes(name);
      } else if (trust_self && now - p.suspected_at > impl_->config.embedded.suspicion_timeout) {
        gone.push_back(name);
      }
    }
    for (const auto& name : gone) {
      auto it = peers_.find(name);
      bury(it->first, it->second, leave_reason::dead);
      peers_.erase(it);
      changed = true;
    }
    update_fence();
    if (changed) publish();
  }

  void ask_probes(const std::string& target) {
    ProbeRequest req;
    req.set_target(target);
    std::uint32_t asked = 0;
    for (auto& [name, p] : peers_) {
      if (asked == impl_->config.embedded.indirect_probes) break;
      if (name == target || p.suspected) continue;
      ctx_->send(p.membership, ProbeRequest(req));
      ++asked;
    }
  }

  void on_probe_request(const ProbeRequest& r) {
    ProbeReply rep;
    rep.set_target(r.target());
    auto it = peers_.find(r.target());
    // Leaving, we read no heartbeats: our last reading would vouch for a member that may have
    // died since.
    if (it == peers_.end() || leaving_) {
      rep.set_heard_ms_ago(std::numeric_limits<std::uint64_t>::max());
    } else {
      rep.set_incarnation(it->second.incarnation);
      rep.set_heard_ms_ago(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - it->second.heard)
              .count()));
    }
    ctx_->send(ctx_->sender(), std::move(rep));
  }

  void on_probe_reply(const ProbeReply& r) {
    auto it = peers_.find(r.target());
    if (it == peers_.end() || !it->second.suspected || it->second.incarnation != r.incarnation()) {
      return;
    }
    const auto ago = std::chrono::milliseconds(
        std::min<std::uint64_t>(r.heard_ms_ago(), std::uint64_t{1} << 40));
    if (ago >= silence_limit()) return;
    // Someone else hears it: our link to it is the problem, not the member.
    it->second.suspected = false;
    it->second.heard = clock::now() - ago;
    publish();
  }

  void on_leaving(const Leaving& l) {
    auto it = peers_.find(l.name());
    if (it == peers_.end() || it->second.incarnation != l.incarnation()) return;
    bury(it->first, it->second, leave_reason::graceful);
    peers_.erase(it);
    update_fence();
    publish();
  }

  void on_announce_leave(announce_leave& a) {
    Leaving l;
    l.set_name(impl_->name);
    l.set_incarnation(me());
    for (const auto& [name, p] : peers_)
      ctx_->send(p.membership, Leaving(l));
    leaving_ = true;
    impl_->serve_until_ns.store(0, std::memory_order_relaxed);
    publish();
    a.done->set_value();
  }

  // -- fence and view ------------------------------------------------------------------------

  /// Serve while a majority of the seeds (ourselves included, if we are one) confirmed us alive
  /// within the fence window.
  void update_fence() {
    if (leaving_) return;
    const auto& seeds = impl_->config.embedded.seeds;
    if (seeds.empty()) return;
    const auto window = impl_->config.embedded.fence_window;
    std::vector<std::int64_t> until;
    for (const auto& s : seeds) {
      if (s == impl_->address) {
        until.push_back(std::numeric_limits<std::int64_t>::max());
        continue;
      }
      std::int64_t u = 0;
      for (const auto& [name, p] : peers_) {
        if (p.address == s && p.confirmed_me != clock::time_point{}) {
          u = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  (p.confirmed_me + window).time_since_epoch())
                  .count();
        }
      }
      until.push_back(u);
    }
    const std::size_t needed = seeds.size() / 2 + 1;
    std::sort(until.begin(), until.end(), std::greater<>());
    impl_->serve_until_ns.store(until[needed - 1], std::memory_order_relaxed);
  }

  void publish() {
    std::vector<member_info> view;
    if (!leaving_) view.push_back({impl_->name, impl_->address, me(), kinds_});
    for (const auto& [name, p] : peers_) {
      view.push_back({name, p.address, p.incarnation, p.kinds,
                      p.suspected ? member_status::suspect : member_status::alive});
    }
    impl_->publish_view(std::move(view));
  }

  std::shared_ptr<cluster_impl> impl_;
  actor::context* ctx_ = nullptr;
  std::vector<std::string> kinds_ = [this] {
    std::vector<std::string> k;
    for (const auto& kc : impl_->config.kinds)
      k.push_back(kc.name);
    return k;
  }();
  std::vector<actor::pid> seed_pids_;
  std::unordered_map<std::string, peer> peers_;
  std::set<std::pair<std::string, std::uint64_t>> dead_;
  std::deque<std::tuple<std::string, std::uint64_t, std::uint32_t>> dead_order_;
  clock::time_point last_tick_{};
  clock::time_point last_beat_{};
  clock::time_point last_refusal_log_{};
  bool leaving_ = false;
  actor::timer tick_;
};

class embedded_provider final : public provider {
 public:
  explicit embedded_provider(std::weak_ptr<cluster_impl> impl)
      : weak_(std::move(impl)), impl_(weak_.lock().get()) {}

  std::error_code start() override {
    auto p = impl_->engine.try_spawn(
        [impl = weak_]() -> std::unique_ptr<actor::receiver> {
          return std::make_unique<membership>(impl.lock());
        },
        system_kind, actor::spawn_options{}.with_id("membership").with_max_restarts(1000));
    if (!p) return p.error();
    impl_->membership = std::move(*p);
    return {};
  }
  [[nodiscard]] bool needs_claims() const noexcept override { return false; }
  void claim(const std::string& kind, std::uint32_t shard) override {
    impl_->engine.send(impl_->host, claim_result{kind, shard, true});
  }
  void release(const std::string& /*kind*/, std::uint32_t /*shard*/) override {}
  void leave() override {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    impl_->engine.send(impl_->membership, announce_leave{done});
    f.wait_for(std::chrono::seconds(5));
  }
  void stop() override {}

 private:
  // The impl owns this provider: a strong reference back would keep both alive forever.
  std::weak_ptr<cluster_impl> weak_;
  cluster_impl* impl_;
};

}  // namespace

std::unique_ptr<provider> make_embedded_provider(const std::shared_ptr<cluster_impl>& impl) {
  return std::make_unique<embedded_provider>(impl);
}

}  // namespace hollywood::cluster::detail
