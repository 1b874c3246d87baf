// SPDX-License-Identifier: MIT
#include "offset_tracker.hpp"

#include <algorithm>

namespace hollywood::eventbus::kafka::detail {

bool offset_tracker::add(std::int64_t offset) {
  if (has_last_ && offset <= last_) return false;
  entries_.push_back({offset, false});
  last_ = offset;
  has_last_ = true;
  return true;
}

bool offset_tracker::mark_done(std::int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const entry& e, std::int64_t o) { return e.offset < o; });
  if (it == entries_.end() || it->offset != offset || it->done) return false;
  if (it != entries_.begin()) {
    it->done = true;
    ++done_beyond_;
    return false;
  }
  entries_.pop_front();
  while (!entries_.empty() && entries_.front().done) {
    entries_.pop_front();
    --done_beyond_;
  }
  return true;
}

std::optional<std::int64_t> offset_tracker::committable() const noexcept {
  if (!has_last_) return std::nullopt;
  return entries_.empty() ? last_ + 1 : entries_.front().offset;
}

}  // namespace hollywood::eventbus::kafka::detail
