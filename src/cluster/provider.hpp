// SPDX-License-Identifier: MIT
#pragma once

// A membership backend. It tells the host actor who the members are (`view_update`), keeps the
// cluster_impl's fence deadline current, and, where the backend has them, takes shard claims.

#include <cstdint>
#include <string>
#include <system_error>

namespace hollywood::cluster::detail {

/// Called by the cluster (start, leave, stop: one thread at a time) and by the host actor
/// (claim, release). Implementations report back with messages to the host.
class provider {
 public:
  virtual ~provider() = default;
  /// Starts membership; the first view reaches the host when the member has joined.
  virtual std::error_code start() = 0;
  /// Whether shards must be claimed from the backend before they are served (and released
  /// after). Without claims, single activation rests on the fence and the hand-off protocol.
  [[nodiscard]] virtual bool needs_claims() const noexcept = 0;
  /// Claims `shard` of `kind`; the host gets a `claim_result` (possibly much later: a claim
  /// held by another member waits until it is released or its holder's lease expires).
  virtual void claim(const std::string& kind, std::uint32_t shard) = 0;
  /// Releases a claim this member holds.
  virtual void release(const std::string& kind, std::uint32_t shard) = 0;
  /// Announces a graceful departure (the host has already handed its shards off). Blocks,
  /// bounded.
  virtual void leave() = 0;
  /// Stops every thread and timer of the backend. Idempotent.
  virtual void stop() = 0;
};

}  // namespace hollywood::cluster::detail
