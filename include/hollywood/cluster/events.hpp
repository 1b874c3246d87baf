// SPDX-License-Identifier: MIT
#pragma once

/// Events a cluster publishes on its engine's event stream (`engine::subscribe`).

#include <cstdint>
#include <string>

namespace hollywood::cluster {

/// A member this one had not seen (or a new incarnation of one) became part of the view.
struct member_joined_event {
  std::string name;
  std::string address;
  std::uint64_t incarnation = 0;
};

/// Why a member left the view.
enum class leave_reason : std::uint8_t {
  /// It announced its departure (`cluster::leave`).
  graceful,
  /// The failure detector (or the provider's lease) declared it dead.
  dead,
  /// It came back with a new incarnation; the old one is gone for good.
  replaced,
};

struct member_left_event {
  std::string name;
  std::string address;
  std::uint64_t incarnation = 0;
  leave_reason reason = leave_reason::dead;
};

/// A member went silent past the suspicion threshold; it still owns its shards until it is
/// declared dead (or heard from again).
struct member_suspected_event {
  std::string name;
  std::string address;
  std::uint64_t incarnation = 0;
};

/// Ownership of `shard` of `kind` changed in this member's view (`from` or `to` may be empty:
/// no owner).
struct shard_moved_event {
  std::string kind;
  std::uint32_t shard = 0;
  std::string from;
  std::string to;
};

/// An identity got an activation on `member`.
struct actor_activated_event {
  std::string kind;
  std::string id;
  std::string member;
};

/// Why an activation ended.
enum class deactivation_reason : std::uint8_t {
  /// Idle longer than its kind's passivation TTL.
  passivated,
  /// Its shard moved to another member (or this member fenced itself).
  shard_moved,
  /// It stopped by itself, or crashed past its restart limit.
  stopped,
};

struct actor_deactivated_event {
  std::string kind;
  std::string id;
  std::string member;
  deactivation_reason reason = deactivation_reason::stopped;
};

}  // namespace hollywood::cluster
