// SPDX-License-Identifier: MIT
#pragma once

/// Configuration of a cluster member: a value type, every field with its named default.
///
///   auto cfg = cluster::cluster_config{}
///                  .with_name("node-a")
///                  .with_kind("player", actor::make_producer<player>())
///                  .with_embedded({"127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003"});

#include <hollywood/actor/receiver.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/cluster/placement.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::cluster {

using namespace std::chrono_literals;

/// How often members exchange heartbeats (embedded provider).
inline constexpr std::chrono::milliseconds default_heartbeat_interval{1000};
/// Missed heartbeats before a silent member is suspected.
inline constexpr std::uint32_t default_suspect_after_misses = 3;
/// How long a suspected member has to be heard from (directly or through a probe) before it is
/// declared dead.
inline constexpr std::chrono::milliseconds default_suspicion_timeout{2000};
/// Members asked to probe a suspected member.
inline constexpr std::uint32_t default_indirect_probes = 2;
/// A member serves shards only while a majority confirmed it alive within this window. It must
/// be shorter than suspicion (misses x interval + suspicion timeout), so that an isolated owner
/// has stopped before anyone else takes over.
inline constexpr std::chrono::milliseconds default_fence_window{2000};
/// etcd: member lease TTL, keep-alive period, and how long without a keep-alive answer before
/// the member stops serving (shorter than the TTL, so it stops before its lease can expire).
inline constexpr std::chrono::seconds default_lease_ttl{3};
inline constexpr std::chrono::milliseconds default_keepalive_interval{1000};
inline constexpr std::chrono::milliseconds default_lease_fence{2000};
/// Messages waiting for one shard's owner before further ones are dead letters.
inline constexpr std::size_t default_pending_per_shard = 10'000;
/// How long a message may wait for an owner before it is a dead letter.
inline constexpr std::chrono::milliseconds default_pending_timeout{30'000};
/// Times a message may be passed between members that disagree about its owner before it
/// waits for their views to converge.
inline constexpr std::uint32_t default_max_hops = 4;
/// After announcing its departure, a leaving member keeps forwarding what still reaches it
/// (sent by members that had not heard yet) until nothing arrived for `leave_quiet`, at most for
/// `leave_linger`.
inline constexpr std::chrono::milliseconds default_leave_quiet{200};
inline constexpr std::chrono::milliseconds default_leave_linger{2000};
/// Period of the housekeeping tick: retries of shard hand-offs, expiry of waiting messages,
/// passivation sweeps.
inline constexpr std::chrono::milliseconds default_tick{250};

/// A kind of actor this member hosts.
struct kind_config {
  std::string name;
  actor::producer make;
  actor::spawn_options options = {};
  /// An activation idle this long is stopped (the next message activates it again); zero: never.
  std::chrono::milliseconds passivation_ttl{0};
};

/// Which membership provider the member uses.
enum class provider_kind : std::uint8_t {
  /// Static seed list and heartbeats over the remote (one machine, tests, small LANs).
  embedded,
  /// etcd's v3 JSON gateway: leases, watches and shard claims (production).
  etcd,
};

struct embedded_config {
  /// Addresses ("host:port") of the seed members; every member must list the same seeds. A
  /// member serves shards only while a majority of them confirm it alive.
  std::vector<std::string> seeds;
  std::chrono::milliseconds heartbeat_interval = default_heartbeat_interval;
  std::uint32_t suspect_after_misses = default_suspect_after_misses;
  std::chrono::milliseconds suspicion_timeout = default_suspicion_timeout;
  std::uint32_t indirect_probes = default_indirect_probes;
  std::chrono::milliseconds fence_window = default_fence_window;
};

struct etcd_config {
  /// "http://host:port" of an etcd member's client URL.
  std::string endpoint;
  /// Key prefix under which the cluster keeps its members and shard claims.
  std::string prefix = "/hollywood";
  std::chrono::seconds lease_ttl = default_lease_ttl;
  std::chrono::milliseconds keepalive_interval = default_keepalive_interval;
  std::chrono::milliseconds lease_fence = default_lease_fence;
};

/// Not thread-safe (a set-up object).
struct cluster_config {
  /// Name of the cluster; members of different clusters refuse each other.
  std::string cluster_name = "hollywood";
  /// Stable member name (hashed for placement, so a restarted member gets its shards back);
  /// empty: the engine's address.
  std::string name;
  std::vector<kind_config> kinds;
  provider_kind provider = provider_kind::embedded;
  embedded_config embedded;
  etcd_config etcd;
  std::uint32_t shard_count = default_shard_count;
  std::size_t pending_per_shard = default_pending_per_shard;
  std::chrono::milliseconds pending_timeout = default_pending_timeout;
  std::uint32_t max_hops = default_max_hops;
  std::chrono::milliseconds tick = default_tick;
  std::chrono::milliseconds leave_quiet = default_leave_quiet;
  std::chrono::milliseconds leave_linger = default_leave_linger;

  [[nodiscard]] cluster_config with_name(std::string v) const {
    auto c = *this;
    c.name = std::move(v);
    return c;
  }
  [[nodiscard]] cluster_config with_cluster_name(std::string v) const {
    auto c = *this;
    c.cluster_name = std::move(v);
    return c;
  }
  [[nodiscard]] cluster_config with_kind(std::string kind, actor::producer make,
                                         std::chrono::milliseconds passivation_ttl = {},
                                         actor::spawn_options options = {}) const {
    auto c = *this;
    c.kinds.push_back({std::move(kind), std::move(make), std::move(options), passivation_ttl});
    return c;
  }
  /// See `default_leave_quiet`: how long a leaving member waits for a quiet spell, and at most.
  [[nodiscard]] cluster_config with_leave_linger(std::chrono::milliseconds quiet,
                                                 std::chrono::milliseconds at_most) const {
    auto c = *this;
    c.leave_quiet = quiet;
    c.leave_linger = at_most;
    return c;
  }
  [[nodiscard]] cluster_config with_embedded(std::vector<std::string> seeds) const {
    auto c = *this;
    c.provider = provider_kind::embedded;
    c.embedded.seeds = std::move(seeds);
    return c;
  }
  [[nodiscard]] cluster_config with_embedded(embedded_config v) const {
    auto c = *this;
    c.provider = provider_kind::embedded;
    c.embedded = std::move(v);
    return c;
  }
  [[nodiscard]] cluster_config with_etcd(std::string endpoint) const {
    auto c = *this;
    c.provider = provider_kind::etcd;
    c.etcd.endpoint = std::move(endpoint);
    return c;
  }
  [[nodiscard]] cluster_config with_etcd(etcd_config v) const {
    auto c = *this;
    c.provider = provider_kind::etcd;
    c.etcd = std::move(v);
    return c;
  }
  [[nodiscard]] cluster_config with_shard_count(std::uint32_t v) const {
    auto c = *this;
    c.shard_count = v;
    return c;
  }
};

}  // namespace hollywood::cluster
