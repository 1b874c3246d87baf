// SPDX-License-Identifier: MIT
#pragma once

/// Where an identity lives. Both functions are part of the wire contract between members: every
/// member must compute the same shard and the same owner, so neither may ever change.
///
///   shard  = murmur3_x86_32("kind/id", seed 0) mod shard_count
///   owner  = the member hosting `kind` with the highest rendezvous_score(kind, shard, name)
///
/// Rendezvous hashing moves only the shards whose top-scoring member changed when a member joins
/// or leaves (about shard_count / members of them), and needs no coordination to agree on.
/// @threadsafe (pure functions)

#include <cstdint>
#include <string_view>

namespace hollywood::cluster {

/// Shards per kind unless configured otherwise; every member of a cluster must agree on it.
inline constexpr std::uint32_t default_shard_count = 256;

/// MurmurHash3, x86 32-bit variant, of `data`.
[[nodiscard]] std::uint32_t murmur3_x86_32(std::string_view data, std::uint32_t seed = 0) noexcept;

/// The shard of identity `kind/id`.
[[nodiscard]] std::uint32_t shard_of(std::string_view kind, std::string_view id,
                                     std::uint32_t shard_count) noexcept;

/// The rendezvous score of member `member_name` for `shard` of `kind`; the highest score owns it.
/// Ties (practically impossible) go to the smaller name.
[[nodiscard]] std::uint64_t rendezvous_score(std::string_view kind, std::uint32_t shard,
                                             std::string_view member_name) noexcept;

}  // namespace hollywood::cluster
