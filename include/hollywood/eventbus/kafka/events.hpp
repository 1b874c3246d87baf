// SPDX-License-Identifier: MIT
#pragma once

/// Events the bus publishes on its engine's event stream (`engine::subscribe`), so an
/// application sees every record that was not handled normally and every asynchronous failure.
/// Plain copyable values.

#include <cstdint>
#include <string>
#include <system_error>

namespace hollywood::eventbus::kafka {

/// A record went to the dead-letter topic (all attempts failed, or a malformed envelope under
/// `on_malformed: dlq`); its offset is then committed.
struct record_dead_lettered_event {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string aggregate_id;
  std::uint32_t attempts = 0;
  std::string error;
  std::string dead_letter_topic;
};

/// A malformed record was skipped (`on_malformed: skip`); its offset is committed.
struct record_skipped_event {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string reason;
};

/// Something failed that the bus keeps retrying or that stopped it: a dead-letter produce that
/// failed (the partition pauses), a refused commit, a malformed record under `fail`.
struct bus_error_event {
  std::string what;
  std::error_code code;
};

/// Partitions changed hands (a rebalance, the first assignment, or the end).
struct partitions_assigned_event {
  std::string topic;
  std::int32_t partition = 0;
};
struct partitions_revoked_event {
  std::string topic;
  std::int32_t partition = 0;
  /// Records of the partition that may be handled again by the next owner: handled here beyond
  /// the committed offset, or still running at the deadline.
  std::uint64_t may_duplicate = 0;
};

}  // namespace hollywood::eventbus::kafka
