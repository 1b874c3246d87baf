// SPDX-License-Identifier: MIT
#include <hollywood/actor/log.hpp>
#include <hollywood/cluster/cluster.hpp>
#include <hollywood/error.hpp>

#include "actor/scheduler.hpp"
#include "cluster.pb.h"
#include "cluster_impl.hpp"
#include "embedded_provider.hpp"
#include "etcd_provider.hpp"
#include "host.hpp"
#include "messages.hpp"

#include <future>
#include <random>
#include <set>
#include <thread>

namespace hollywood::cluster {
namespace detail {

cluster_impl::cluster_impl(actor::engine& e, remote::remote& r, cluster_config cfg)
    : engine(e),
      remote(r),
      config(std::move(cfg)),
      name(config.name.empty() ? r.address() : config.name),
      address(r.address()),
      serving_(new std::atomic<bool>[config.kinds.size() * config.shard_count]) {
  for (std::size_t i = 0; i < config.kinds.size() * config.shard_count; ++i) {
    serving_[i].store(false, std::memory_order_relaxed);
  }
  incarnation.store(fresh_incarnation(), std::memory_order_relaxed);
}

int cluster_impl::local_kind(std::string_view kind) const noexcept {
  for (std::size_t i = 0; i < config.kinds.size(); ++i) {
    if (config.kinds[i].name == kind) return static_cast<int>(i);
  }
  return -1;
}

std::uint64_t cluster_impl::fresh_incarnation() noexcept {
  // Larger than every earlier one of this process, and unlike any other process's: peers keep
  // the newest incarnation they heard of a name, and refuse the dead ones.
  static std::mt19937_64 rng{std::random_device{}()};
  const auto t = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  const std::uint64_t prev = incarnation.load(std::memory_order_relaxed);
  const std::uint64_t next = (t << 12) | (rng() & 0xfffU);
  return next > prev ? next : prev + 1;
}

void cluster_impl::publish_view(std::vector<member_info> members) {
  // The host hears first: whoever sees the view in members() and then routes a message has it
  // queued behind the view, so the host never places that message by an older one.
  engine.send(host, view_update{members});
  std::lock_guard lock(mu_);
  view_ = std::move(members);
}

std::vector<member_info> cluster_impl::view() const {
  std::lock_guard lock(mu_);
  return view_;
}

namespace {

expected<void> validate(const cluster_config& c, std::string_view address) {
  auto bad = [](const std::string& why) -> expected<void> {
    actor::write_log(actor::log_level::error, "cluster config: " + why);
    return unexpected(errc::invalid_config);
  };
  if (address.empty() || address == "local") {
    return bad("the engine has no remote: a member must be reachable");
  }
  if (c.shard_count == 0 || c.shard_count > 65536) return bad("shard_count must be 1..65536");
  if (c.cluster_name.empty()) return bad("cluster_name is empty");
  std::set<std::string> names;
  for (const auto& k : c.kinds) {
    if (k.name.empty() || k.name.find('/') != std::string::npos) {
      return bad("kind name '" + k.name + "' must be non-empty and contain no '/'");
    }
    if (!k.make) return bad("kind '" + k.name + "' has no producer");
    if (!names.insert(k.name).second) return bad("kind '" + k.name + "' is listed twice");
  }
  if (c.pending_per_shard == 0) return bad("pending_per_shard must be positive");
  if (c.tick.count() <= 0) return bad("tick must be positive");
  if (c.leave_quiet.count() <= 0 || c.leave_linger.count() < 0) {
    return bad("leave_quiet must be positive and leave_linger not negative");
  }
  if (c.provider == provider_kind::embedded) {
    const auto& e = c.embedded;
    if (e.heartbeat_interval.count() <= 0 || e.suspect_after_misses == 0) {
      return bad("embedded.heartbeat_interval and suspect_after_misses must be positive");
    }
    if (e.fence_window >= e.heartbeat_interval * e.suspect_after_misses + e.suspicion_timeout) {
      return bad(
          "embedded.fence_window must be shorter than the time to declare a member dead, or an "
          "isolated owner could still serve when its shards move");
    }
  } else {
    const auto& e = c.etcd;
    if (e.endpoint.rfind("http://", 0) != 0) {
      return bad("etcd.endpoint must be an http:// URL");
    }
    if (e.lease_fence >= e.lease_ttl || e.keepalive_interval >= e.lease_fence) {
      return bad("etcd: keepalive_interval < lease_fence < lease_ttl is required");
    }
  }
  return {};
}

template <class T>
expected<void> add_type(remote::remote& r) {
  return r.types().add_protobuf<T>();
}

/// A message handed to another member travels as a Deliver; if it is lost on the way, its dead
/// letter should show what the user sent and to which identity, not the envelope.
actor::engine::dead_letter_rewrite unwrap_deliver(remote::type_registry& types) {
  return [&types](actor::pid& target, actor::message& msg) {
    const auto* d = msg.get_if<Deliver>();
    if (d == nullptr) return;
    const remote::codec* c = types.by_name(d->type());
    if (c == nullptr) return;
    auto decoded = c->decode(d->payload());
    if (!decoded) return;
    target = actor::pid(target.address(), d->kind() + '/' + d->id());
    msg = std::move(*decoded);
  };
}

}  // namespace
}  // namespace detail

expected<std::unique_ptr<cluster>> cluster::create(actor::engine& e, remote::remote& r,
                                                   cluster_config config) {
  if (config.provider == provider_kind::embedded && config.embedded.seeds.empty()) {
    config.embedded.seeds.push_back(r.address());  // a cluster of one
  }
  if (auto ok = detail::validate(config, e.address()); !ok) return unexpected(ok.error());
  for (auto ok : {detail::add_type<Heartbeat>(r), detail::add_type<Refused>(r),
                  detail::add_type<ProbeRequest>(r), detail::add_type<ProbeReply>(r),
                  detail::add_type<Leaving>(r), detail::add_type<Deliver>(r),
                  detail::add_type<AcquireShard>(r), detail::add_type<ShardReleased>(r)}) {
    if (!ok) return unexpected(ok.error());
  }
  auto impl = std::make_shared<detail::cluster_impl>(e, r, std::move(config));
  impl->backend = impl->config.provider == provider_kind::embedded
                      ? detail::make_embedded_provider(impl)
                      : detail::make_etcd_provider(impl);
  auto host = e.try_spawn(detail::make_host(impl), detail::system_kind,
                          actor::spawn_options{}.with_id("host").with_max_restarts(1000));
  if (!host) return unexpected(host.error());
  impl->host = std::move(*host);
  if (auto ec = impl->backend->start()) {
    e.poison(impl->host);
    return unexpected(ec);
  }
  e.set_dead_letter_rewrite(detail::unwrap_deliver(r.types()));
  return std::unique_ptr<cluster>(new cluster(std::move(impl)));
}

cluster::cluster(std::shared_ptr<detail::cluster_impl> impl) noexcept : impl_(std::move(impl)) {}

cluster::~cluster() {
  leave();
  // The system actors hold the shared state; once they are gone it goes too.
  impl_->engine.poison(impl_->host);
  if (impl_->membership) impl_->engine.poison(impl_->membership);
}

identity_ref cluster::activate(std::string_view kind, std::string_view id) const {
  return identity_ref(impl_->engine, impl_->host, identity{std::string(kind), std::string(id)},
                      shard_of(kind, id, impl_->config.shard_count));
}

std::vector<member_info> cluster::members() const {
  return impl_->view();
}

const std::string& cluster::name() const noexcept {
  return impl_->name;
}

std::uint64_t cluster::incarnation() const noexcept {
  return impl_->incarnation.load(std::memory_order_relaxed);
}

bool cluster::serving() const noexcept {
  return impl_->may_serve();
}

cluster_stats cluster::stats() const noexcept {
  const auto& i = *impl_;
  return {i.activations.load(std::memory_order_relaxed),
          i.passivations.load(std::memory_order_relaxed),
          i.shards_acquired.load(std::memory_order_relaxed),
          i.shards_released.load(std::memory_order_relaxed),
          i.forwarded.load(std::memory_order_relaxed),
          i.dead_letters.load(std::memory_order_relaxed),
          i.shards_owned.load(std::memory_order_relaxed),
          i.failovers.load(std::memory_order_relaxed)};
}

void cluster::leave() {
  if (impl_->leaving.exchange(true, std::memory_order_relaxed)) return;
  if (actor::detail::current_worker() != nullptr) {
    actor::write_log(actor::log_level::error,
                     "cluster: leave() called on an engine worker; call it from a plain thread");
    return;
  }
  // Hand every shard off first, so the others can take over the moment they hear we left.
  auto drained = std::make_shared<std::promise<void>>();
  auto f = drained->get_future();
  impl_->engine.send(impl_->host, detail::drain_all{drained});
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    actor::write_log(actor::log_level::warn, "cluster: leave() gave up waiting for the drain");
  }
  impl_->backend->leave();
  // Members that had not heard yet still send here, and the host forwards that to the new
  // owners; stay until it stops arriving.
  // Relaxed throughout: time stamps that publish no data. Counting from the announcement, so
  // it stays at least one quiet spell even when nothing arrived lately.
  impl_->last_arrival_ns.store(detail::now_ns(), std::memory_order_relaxed);
  const auto& cfg = impl_->config;
  const auto give_up = std::chrono::steady_clock::now() + cfg.leave_linger;
  const auto quiet_ns = std::chrono::nanoseconds(cfg.leave_quiet).count();
  const auto poll = std::max<std::chrono::milliseconds>(cfg.leave_quiet / 4, 1ms);
  while (std::chrono::steady_clock::now() < give_up &&
         detail::now_ns() - impl_->last_arrival_ns.load(std::memory_order_relaxed) < quiet_ns) {
    std::this_thread::sleep_for(poll);  // polling the quiet spell
  }
  impl_->backend->stop();
}

std::optional<identity> identity_of(const actor::context& ctx) {
  // Activations are children of the host: "cluster/host/<kind>/<id>".
  const std::string_view full = ctx.self().id();
  constexpr std::string_view prefix = "cluster/host/";
  if (full.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view rest = full.substr(prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return identity{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

}  // namespace hollywood::cluster
