// SPDX-License-Identifier: MIT
#pragma once

/// A cluster member: engines that share identities. Each identity `kind/id` is served by at most
/// one member at any time and can be reached from every member (docs/cluster.md).
///
///   auto r =
///   remote::remote::create(remote::remote_config{}.with_listen("127.0.0.1:4001")).value(); auto e
///   = actor::engine::create(actor::engine_config{}.with_remote(r)).value(); auto c =
///   cluster::cluster::create(*e, *r, cluster::cluster_config{}
///                .with_name("a")
///                .with_kind("player", actor::make_producer<player>())
///                .with_embedded({"127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003"})).value();
///   c->activate("player", "42").send(hello{});
///
/// The cluster registers its wire types with the remote and spawns two system actors on the
/// engine (`cluster/host`, `cluster/membership`). Payloads sent to identities on other members
/// cross like any remote message: register their codecs with the remote on every member.

#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/metric_sink.hpp>
#include <hollywood/cluster/cluster_config.hpp>
#include <hollywood/cluster/events.hpp>
#include <hollywood/cluster/identity.hpp>
#include <hollywood/cluster/placement.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/remote/remote.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::cluster {

namespace detail {
class cluster_impl;
}

enum class member_status : std::uint8_t {
  alive,
  /// Silent past the suspicion threshold; still owns its shards until declared dead.
  suspect,
};

struct member_info {
  std::string name;
  std::string address;
  std::uint64_t incarnation = 0;
  std::vector<std::string> kinds;
  member_status status = member_status::alive;
};

/// Counters since creation. @threadsafe to read.
struct cluster_stats {
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
  std::uint64_t shards_acquired = 0;
  std::uint64_t shards_released = 0;
  std::uint64_t forwarded = 0;     // messages passed on to the owning member
  std::uint64_t dead_letters = 0;  // messages that found no owner in time, or no room to wait
  std::uint32_t shards_owned = 0;  // shards (over all kinds) this member serves now
  /// Shards this member took over from a member that left its view without handing them off
  /// (it died, or was fenced out).
  std::uint64_t failovers = 0;
};

/// @threadsafe
class cluster {
 public:
  /// Joins the cluster. `e` must have been created with `r` as its remote; both must outlive the
  /// cluster. Errors: `errc::invalid_config` (the log names the field), `errc::already_started`.
  /// Installs the engine's dead-letter rewrite for the engine's lifetime, so a message lost on
  /// its way between members shows as the user's message addressed to
  /// `<member address>/<kind>/<id>`.
  static expected<std::unique_ptr<cluster>> create(actor::engine& e, remote::remote& r,
                                                   cluster_config config);

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;
  /// Runs `leave()`.
  ~cluster();

  /// A reference to `kind/id`; it does not block and does not contact anyone.
  [[nodiscard]] identity_ref activate(std::string_view kind, std::string_view id) const;

  /// The members in this member's view (itself included while it is a member).
  [[nodiscard]] std::vector<member_info> members() const;

  [[nodiscard]] const std::string& name() const noexcept;
  /// This member's current incarnation (a new one after it was declared dead and rejoined).
  [[nodiscard]] std::uint64_t incarnation() const noexcept;
  /// Whether the provider currently lets this member serve shards (its fence is open).
  [[nodiscard]] bool serving() const noexcept;
  [[nodiscard]] cluster_stats stats() const noexcept;
  /// Reports the member's metrics (docs/operations.md: `hollywood_cluster_*`) to `out`.
  void collect_metrics(actor::metric_sink& out) const;

  /// Leaves gracefully: stops serving, hands every shard to its next owner with the messages
  /// waiting for it, then tells the others (no failure-detection delay), then keeps forwarding
  /// what members that had not heard yet still send, until that stops (`leave_quiet`, at most
  /// `leave_linger`). Blocks (bounded) until done; refused on an engine worker. Idempotent.
  void leave();

 private:
  explicit cluster(std::shared_ptr<detail::cluster_impl> impl) noexcept;
  std::shared_ptr<detail::cluster_impl> impl_;
};

}  // namespace hollywood::cluster
