// SPDX-License-Identifier: MIT
#pragma once

// The registry maps full IDs to live processes. It holds one reference to each registered
// process; the process removes itself when it terminates.
//
// Sharded by the ID's hash (one mutex per shard), so concurrent spawns on different workers
// rarely meet on one lock. Each shard is an open-addressing table with linear probing and
// backward-shift deletion: no allocation per entry, no tombstones, 16 bytes per slot (the process
// and its ID's hash, compared before the string), kept between 1/8 and 3/4 full.

#include <hollywood/actor/pid.hpp>
#include <hollywood/thread_annotations.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace hollywood::actor::detail {

class process;

/// @threadsafe
class registry {
 public:
  registry() = default;
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;
  ~registry();

  /// Registers `p` under its ID and returns the empty PID, or, if the ID is taken, registers
  /// nothing and returns the existing process's PID.
  pid insert(process* p);

  /// Unregisters `p` (if it is the process registered under its ID).
  void remove(process* p) noexcept;

  /// Returns the process registered as `id`, or the empty PID.
  [[nodiscard]] pid find(std::string_view id) const;

  /// Calls `fn` for each registered process, shard by shard (a shard's lock is held while `fn`
  /// runs: `fn` must not call back into the registry).
  void for_each(const std::function<void(process&)>& fn) const;

  [[nodiscard]] std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 64;

  struct slot {
    process* p = nullptr;
    std::uint64_t hash = 0;
  };

  /// One shard: a linear-probing table whose capacity is zero or a power of two.
  struct shard {
    mutable std::mutex mu;
    std::vector<slot> slots HOLLYWOOD_GUARDED_BY(mu);
    std::size_t used HOLLYWOOD_GUARDED_BY(mu) = 0;

    [[nodiscard]] std::size_t find_index(std::string_view id, std::uint64_t hash) const;
    void insert_new(process* p, std::uint64_t hash);
    void erase_at(std::size_t index) noexcept;
    void resize(std::size_t capacity);
  };

  static std::uint64_t hash_of(std::string_view id) noexcept;
  shard& shard_for(std::uint64_t hash) const noexcept;

  mutable std::array<shard, shard_count> shards_;
};

}  // namespace hollywood::actor::detail
