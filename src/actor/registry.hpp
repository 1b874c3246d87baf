// SPDX-License-Identifier: MIT
#pragma once

// The registry maps full IDs to live processes. It holds one reference to each registered
// process; the process removes itself when it terminates. Sharded by the ID's hash so that
// concurrent spawns on different workers rarely meet on one lock.

#include <hollywood/actor/pid.hpp>
#include <hollywood/thread_annotations.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>
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
  struct shard {
    mutable std::mutex mu;
    std::unordered_map<std::string_view, process*> map HOLLYWOOD_GUARDED_BY(mu);
  };
  shard& shard_for(std::string_view id) const noexcept;

  mutable std::array<shard, shard_count> shards_;
};

}  // namespace hollywood::actor::detail
