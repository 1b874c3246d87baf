// SPDX-License-Identifier: MIT
#pragma once

// Coalescing messages into one `wire::Batch`, and taking one apart. Type names and PIDs appear
// once per batch however many envelopes use them; an absent sender stays absent.

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/remote/type_registry.hpp>

#include "proto/wire.pb.h"

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

namespace hollywood::remote::detail {

/// Builds one batch. Not thread-safe (one writer).
class batch_builder {
 public:
  explicit batch_builder(const type_registry& types) noexcept : types_(types) {}

  /// Adds one message. Errors: `errc::unknown_type` (no codec for its type),
  /// `errc::invalid_argument` (the codec could not encode it); nothing is added then.
  expected<void> add(const actor::pid& target, const actor::pid& sender, const actor::message& m);

  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(batch_.envelopes_size());
  }
  [[nodiscard]] bool empty() const noexcept { return batch_.envelopes_size() == 0; }

  /// Returns the batch (stamped with `seq` and `ack`) and starts a new one.
  wire::Batch take(std::uint64_t seq, std::uint64_t ack);

 private:
  std::uint32_t type_index(std::string_view name);
  std::uint32_t pid_index(const actor::pid& p);

  const type_registry& types_;
  wire::Batch batch_;
  std::unordered_map<std::string, std::uint32_t> type_indices_;
  std::unordered_map<std::string, std::uint32_t> pid_indices_;  // key: "address/id"
  std::string scratch_;
};

/// One message taken out of a batch.
struct incoming {
  actor::pid target;
  actor::pid sender;  // empty when the sender was absent
  actor::message msg;
};

/// Decodes every envelope of `batch` before calling `on_message` for any, so a batch is
/// delivered completely or not at all. Errors: `errc::protocol_error` (an index out of range,
/// an empty PID), `errc::unknown_type` (a type name without codec), `errc::invalid_argument`
/// (a payload its codec rejects).
expected<void> decode_batch(const wire::Batch& batch, const type_registry& types,
                            const std::function<void(incoming&&)>& on_message);

}  // namespace hollywood::remote::detail
