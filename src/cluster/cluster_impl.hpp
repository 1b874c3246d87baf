// SPDX-License-Identifier: MIT
#pragma once

// State shared by the parts of one member: the host actor (routing, activations, shards), the
// provider (membership, fence, claims) and the public API.

#include <hollywood/actor/engine.hpp>
#include <hollywood/cluster/cluster.hpp>
#include <hollywood/remote/remote.hpp>
#include <hollywood/thread_annotations.hpp>

#include "provider.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hollywood::cluster::detail {

using clock = std::chrono::steady_clock;

[[nodiscard]] inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch())
      .count();
}

inline constexpr std::string_view system_kind = "cluster";
inline constexpr std::string_view host_id = "cluster/host";
inline constexpr std::string_view membership_id = "cluster/membership";

/// @threadsafe (the members below say how)
class cluster_impl {
 public:
  cluster_impl(actor::engine& e, remote::remote& r, cluster_config config);

  actor::engine& engine;
  remote::remote& remote;
  const cluster_config config;
  const std::string name;     // immutable after construction
  const std::string address;  // the remote's address

  // Written once by cluster::create before any actor reads them.
  actor::pid host;
  actor::pid membership;
  std::unique_ptr<provider> backend;

  // -- fence -------------------------------------------------------------------------------

  /// This member may serve shards until this steady-clock time. Relaxed: the deadline publishes
  /// no data; a reader seeing an older value only stops serving earlier (the safe direction),
  /// and after a freeze (SIGSTOP) the clock has moved past it anyway.
  std::atomic<std::int64_t> serve_until_ns{0};
  [[nodiscard]] bool may_serve() const noexcept {
    return now_ns() < serve_until_ns.load(std::memory_order_relaxed);
  }

  // -- shards served (read by every activation's fence middleware) ---------------------------

  /// Index of `kind` among the kinds this member hosts, or -1.
  [[nodiscard]] int local_kind(std::string_view kind) const noexcept;
  /// Set by the host when it starts serving a shard, cleared before it stops. Relaxed: the flag
  /// publishes no data, and the host changes it only from its own receive.
  void set_serving(int kind, std::uint32_t shard, bool on) noexcept {
    serving_[static_cast<std::size_t>(kind) * config.shard_count + shard].store(
        on, std::memory_order_relaxed);
  }
  [[nodiscard]] bool serving(int kind, std::uint32_t shard) const noexcept {
    return serving_[static_cast<std::size_t>(kind) * config.shard_count + shard].load(
               std::memory_order_relaxed) &&
           may_serve();
  }

  // -- identity ------------------------------------------------------------------------------

  /// Relaxed: a plain value read for logs, events and heartbeats.
  std::atomic<std::uint64_t> incarnation{0};
  [[nodiscard]] std::uint64_t fresh_incarnation() noexcept;

  // -- view and counters (for the public API) ------------------------------------------------

  /// Hands the host a new view, then shows it in members().
  void publish_view(std::vector<member_info> members);
  [[nodiscard]] std::vector<member_info> view() const;

  // Relaxed counters: statistics only.
  std::atomic<std::uint64_t> activations{0};
  std::atomic<std::uint64_t> passivations{0};
  std::atomic<std::uint64_t> shards_acquired{0};
  std::atomic<std::uint64_t> shards_released{0};
  std::atomic<std::uint64_t> forwarded{0};
  std::atomic<std::uint64_t> dead_letters{0};
  /// Shards taken over from a member that left the view without handing them off.
  std::atomic<std::uint64_t> failovers{0};
  std::atomic<std::uint32_t> shards_owned{0};

  /// Set once leave() started; relaxed: checked by leave() itself under its own ordering.
  std::atomic<bool> leaving{false};
  /// When the host last got a message to route (steady-clock ns); leave() waits for a quiet
  /// spell. Relaxed: a time stamp publishing no data.
  std::atomic<std::int64_t> last_arrival_ns{0};

 private:
  std::unique_ptr<std::atomic<bool>[]> serving_;
  mutable std::mutex mu_;
  std::vector<member_info> view_ HOLLYWOOD_GUARDED_BY(mu_);
};

}  // namespace hollywood::cluster::detail
