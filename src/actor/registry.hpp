// SPDX-License-Identifier: MIT
#pragma once

// The registry maps full IDs to live processes. It holds one reference to each registered
// process; the process removes itself when it terminates.
//
// IDs the engine numbers live in the number table (see number_table.hpp): a spawn registers its
// actor there without hashing or locking. Every other ID lives in a hash table sharded 64 ways by
// the ID's hash, one mutex per shard. Each shard is an open-addressing table with linear probing
// and backward-shift deletion: no allocation per entry, no tombstones, kept between 1/8 and 3/4
// full. A slot is one word: the process pointer, with 20 bits of the ID's hash in the bits a
// user-space pointer leaves zero (the top 16 and the low 4 of a 16-byte aligned object). Those
// bits are the low bits of the hash, so they give an entry's home slot without touching the
// process (erase and resize need it for every entry they move) and filter probes before the string
// compare.

#include <hollywood/actor/pid.hpp>
#include <hollywood/cache_line.hpp>
#include <hollywood/thread_annotations.hpp>

#include "number_table.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
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

  /// Where an ID lives in the hash table: its shard (bits 56-61) and the low 56 bits of its
  /// hash, enough for any table mask. From `prepare`, computed once per spawn, and kept in the
  /// process for `remove`, with bit 62 set when the ID reserved a number in the number table. Bit
  /// 63 stays clear (it marks the number table's keys).
  struct placement {
    std::uint64_t bits;

    static constexpr unsigned hash_bits = 56;
    static constexpr std::uint64_t reserved_number = std::uint64_t{1} << 62;
    placement(std::uint64_t hash, std::size_t shard) noexcept
        : bits((hash & ((std::uint64_t{1} << hash_bits) - 1)) |
               (static_cast<std::uint64_t>(shard) << hash_bits)) {}
    explicit placement(std::uint64_t word) noexcept : bits(word) {}
    [[nodiscard]] std::uint64_t hash() const noexcept {
      return bits & ((std::uint64_t{1} << hash_bits) - 1);
    }
    [[nodiscard]] std::size_t shard() const noexcept { return (bits >> hash_bits) & 63; }
  };

  /// Hashes `id` and prefetches its slot, so that the cache miss a spawn would take under the
  /// shard's lock overlaps the work it does before `insert` (making the process).
  [[nodiscard]] placement prepare(std::string_view id) const noexcept;

  /// Registers `p` under the ID a user gave it and returns the empty PID, or, if the ID is
  /// taken, registers nothing and returns the existing process's PID. `where` comes from
  /// `prepare(p->id())`. Registering adopts a reference to `p` the caller holds for the registry
  /// (a process is born with it).
  pid insert(process* p, placement where);

  /// The next number for an ID the engine makes, from the calling thread's run `r` (the runs
  /// counted by `runs`, an engine-wide counter).
  std::uint64_t take_number(number_table::run& r, std::atomic<std::uint64_t>& runs) {
    return numbers_->take(r, runs);
  }
  /// Registers `p`, named with `number` from `take_number(r, ...)`, adopting its reference for
  /// the registry. False when a user named an actor the same (the caller takes another number
  /// and renames `p`, which nobody can see yet).
  bool insert_numbered(process* p, number_table::run& r, std::uint64_t number) noexcept;

  /// Unregisters `p` (if it is the process registered under its ID), found by the key `insert`
  /// or `insert_numbered` stored in it: no hashing, and a probe compares pointers, not IDs.
  void remove(process* p) noexcept;

  /// Returns the process registered as `id`, or the empty PID.
  [[nodiscard]] pid find(std::string_view id) const;

  /// Calls `fn` for each registered process, shard by shard (a shard's lock is held while `fn`
  /// runs: `fn` must not call back into the registry).
  void for_each(const std::function<void(process&)>& fn) const;

  [[nodiscard]] std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 64;
  static_assert(shard_count == 64, "placement keeps the shard in 6 bits");

  /// A process pointer with hash bits packed in; 0 when empty.
  struct slot {
    std::uintptr_t bits = 0;

    static slot make(process* p, std::uint64_t hash) noexcept;
    [[nodiscard]] bool empty() const noexcept { return bits == 0; }
    [[nodiscard]] process* get() const noexcept;
    /// The hash bits kept (the low `tag_bits` of the hash).
    [[nodiscard]] std::uint64_t tag() const noexcept;
  };
  static constexpr unsigned tag_bits = 20;

  /// One shard: a linear-probing table whose capacity is zero or a power of two. A line of its
  /// own: workers spawning at once take neighbouring shards' locks.
  struct alignas(cache_line_size) shard {
    mutable std::mutex mu;
    std::vector<slot> slots HOLLYWOOD_GUARDED_BY(mu);
    std::size_t used HOLLYWOOD_GUARDED_BY(mu) = 0;
    // Copies of the table's address and mask for `prepare`, read without the lock: a stale pair
    // only prefetches the wrong line (a prefetch never faults). Relaxed: nothing is read through
    // them.
    std::atomic<const slot*> hint_table{nullptr};
    std::atomic<std::size_t> hint_mask{0};

    [[nodiscard]] std::size_t find_index(std::string_view id, std::uint64_t hash) const;
    /// `find_index` that, when `id` is absent, returns the empty slot ending its probe run (where
    /// an insert without a resize puts it) with `found` false; npos for an empty table.
    struct probe_result {
      std::size_t index;
      bool found;
    };
    [[nodiscard]] probe_result probe(std::string_view id, std::uint64_t hash) const;
    /// Whether one more entry needs a larger table.
    [[nodiscard]] bool full() const noexcept;
    [[nodiscard]] std::size_t find_index(const process* p, std::uint64_t hash) const noexcept;
    /// The slot an entry hashes to (recomputes the hash only past 2^tag_bits slots).
    [[nodiscard]] std::size_t home_of(slot s, std::size_t mask) const noexcept;
    void insert_new(process* p, std::uint64_t hash);
    void erase_at(std::size_t index) noexcept;
    void resize(std::size_t capacity);
  };

  static placement locate(std::string_view id) noexcept;

  mutable std::array<shard, shard_count> shards_;
  // Shared with the threads' runs, which may close after the registry is gone.
  std::shared_ptr<number_table> numbers_ = std::make_shared<number_table>();
};

}  // namespace hollywood::actor::detail
