// SPDX-License-Identifier: MIT
#pragma once

// The registry's table for the IDs the engine makes ("kind/N", "parent/kind/N"). The engine hands
// each number N out once, whatever the kind or parent, so N alone finds the actor.
//
// Numbers go out in runs of `page_numbers`, each run to one thread (a worker, or a plain thread
// spawning from outside), with a page of slots, one per number. That thread registers its actors
// with one compare-and-swap into its own page: no hashing, probing, lock or table growth on the
// spawn path, and 8 bytes per actor. A sharded directory finds pages by number, for lookups by ID
// and for the thread starting a run; a page is freed once its run is over and its last actor left.
//
// A user may name an actor in the same form (kind "svc", `with_id("12")`). The registry keeps such
// an actor in its hash table, and here it reserves its number: a reserved slot makes the engine's
// compare-and-swap fail, so the engine moves to its next number before anyone can see an actor
// under a name the user gave. An engine actor already holding the number either is the one the
// user names (a duplicate) or has another prefix, and then the number is never handed out again.

#include <hollywood/actor/detail/pid_target.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/cache_line.hpp>
#include <hollywood/thread_annotations.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace hollywood::actor::detail {

/// @threadsafe, except `run`, which is confined to the thread that takes numbers from it.
class number_table : public std::enable_shared_from_this<number_table> {
 public:
  /// Numbers per run and per page: a run fills one page. Small pages bound what a few long-lived
  /// actors keep alive among short-lived ones (2 KB each at most).
  static constexpr std::uint64_t page_numbers = 256;

  struct page;

  /// A thread's run of numbers and the page they go in. Thread-confined. Keeps the table alive,
  /// so a plain thread's run may outlive its engine and still close.
  class run {
   public:
    run() = default;
    run(const run&) = delete;
    run& operator=(const run&) = delete;
    ~run() { close(); }

    /// Ends the run early: its page is freed once the actors in it have left.
    void close() noexcept;

   private:
    friend class number_table;
    std::shared_ptr<number_table> table_;
    page* page_ = nullptr;
    std::uint64_t next_ = 0;
    std::uint64_t end_ = 0;
    std::int64_t published_ = 0;
  };

  number_table() = default;
  number_table(const number_table&) = delete;
  number_table& operator=(const number_table&) = delete;
  ~number_table();

  /// The number in `id` if the engine could have made it: decimal digits after the last '/',
  /// without leading zeros, that fit in 64 bits.
  [[nodiscard]] static std::optional<std::uint64_t> number_of(std::string_view id) noexcept;

  /// The next number of `r`, starting the next run of `runs` (an engine-wide counter of runs)
  /// when `r` is used up. Numbers start at 1.
  std::uint64_t take(run& r, std::atomic<std::uint64_t>& runs);

  /// Registers `p` under `number`, the last number `take` gave from `r`, and returns the key
  /// that finds it again (never 0). Returns 0 when a user reserved the number (the caller takes
  /// another); `p` is then not visible to anyone. The table adopts a reference to `p` the caller
  /// holds for it.
  std::uint64_t publish(run& r, std::uint64_t number, pid_target* p) noexcept;

  /// Whether `key` came from `publish`.
  [[nodiscard]] static bool owns(std::uint64_t key) noexcept { return (key & key_flag) != 0; }

  /// Unregisters `p`, published under `key`; returns whether it was registered (the caller then
  /// releases the table's reference).
  bool remove(pid_target* p, std::uint64_t key) noexcept;

  /// The actor registered as `id`, `number` being number_of(id); the empty PID if none.
  [[nodiscard]] pid find(std::uint64_t number, std::string_view id) const;

  /// For an actor a user names `id` (`number` = number_of(id)): the engine actor registered as
  /// `id` if there is one (a duplicate); otherwise reserves the number, unless an engine actor of
  /// another ID holds it, and says whether it did (the caller must `unreserve` it later).
  struct claim_result {
    pid existing;
    bool reserved = false;
  };
  claim_result claim(std::uint64_t number, std::string_view id);
  void unreserve(std::uint64_t number) noexcept;

  /// Calls `fn` on each registered target, a directory shard's lock held (`fn` must not call
  /// into the registry).
  void for_each(const std::function<void(pid_target&)>& fn) const;
  [[nodiscard]] std::size_t size() const;
  /// Pages allocated: what the table costs beyond 8 bytes a registered actor.
  [[nodiscard]] std::size_t pages() const;

  /// Unregisters everything, releasing the table's references (engine teardown).
  void release_all() noexcept;

 private:
  static constexpr std::uint64_t key_flag = std::uint64_t{1} << 63;
  static constexpr std::size_t shard_count = 16;

  struct alignas(cache_line_size) shard {
    mutable std::mutex mu;
    /// Pages by first number / page_numbers.
    std::unordered_map<std::uint64_t, page*> pages HOLLYWOOD_GUARDED_BY(mu);
    /// Reservations of numbers whose page does not exist, by number: how many users hold each.
    /// A page is made for a run only (a user naming "order/93847561" would otherwise pin 2 KB),
    /// and the run's start moves its range's reservations into the page.
    std::map<std::uint64_t, std::uint32_t> pageless HOLLYWOOD_GUARDED_BY(mu);
  };

  [[nodiscard]] shard& shard_of(std::uint64_t page_index) const noexcept {
    return shards_[page_index % shard_count];
  }
  /// The page holding `page_index`'s numbers, made (with the reservations waiting for it) if
  /// absent. @pre s.mu held.
  page* page_at(shard& s, std::uint64_t page_index);
  /// Drops one of `pg`'s references (`count` of them), freeing it at zero. @pre s.mu held.
  void unref(shard& s, page* pg, std::int64_t count) noexcept;
  void close(run& r) noexcept;

  mutable std::array<shard, shard_count> shards_;
};

}  // namespace hollywood::actor::detail
