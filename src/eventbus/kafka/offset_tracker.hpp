// SPDX-License-Identifier: MIT
#pragma once

// The commit rule of one partition: the committable offset is the first offset not yet done
// (or one past the last accepted offset when all are done). Records finish out of order across
// aggregates; a finished record beyond a gap waits for the gap, so a failed record is never
// committed past. Offsets need not be contiguous (compaction and transaction markers leave
// holes): only the accepted ones count.
//
// Memory: one entry per accepted record between the committable offset and the last accepted
// one; the bus bounds that with its in-flight limit. Confined to the consumer thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace hollywood::eventbus::kafka::detail {

class offset_tracker {
 public:
  /// Accepts `offset`. Offsets must increase; an offset at or below the last one (a redelivery
  /// within the same assignment) is refused and returns false.
  bool add(std::int64_t offset);

  /// Marks `offset` done. Returns whether the committable offset moved. Unknown or already done
  /// offsets are ignored.
  bool mark_done(std::int64_t offset);

  /// The offset to commit (the next one to consume after a restart); empty before the first
  /// `add`.
  [[nodiscard]] std::optional<std::int64_t> committable() const noexcept;

  /// Accepted and not done.
  [[nodiscard]] std::size_t pending() const noexcept { return entries_.size() - done_beyond_; }
  /// Done, but waiting behind a gap.
  [[nodiscard]] std::size_t done_beyond_gap() const noexcept { return done_beyond_; }
  /// The last accepted offset; empty before the first `add`.
  [[nodiscard]] std::optional<std::int64_t> last() const noexcept {
    return has_last_ ? std::optional<std::int64_t>(last_) : std::nullopt;
  }

 private:
  struct entry {
    std::int64_t offset;
    bool done;
  };
  std::deque<entry> entries_;  // ascending offsets, the first one not done
  std::size_t done_beyond_ = 0;
  std::int64_t last_ = -1;
  bool has_last_ = false;
};

}  // namespace hollywood::eventbus::kafka::detail
