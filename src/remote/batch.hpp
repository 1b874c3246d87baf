// SPDX-License-Identifier: MIT
#pragma once

// Coalescing messages into one `wire::Batch`, and taking one apart. Type names and PIDs appear
// once per batch however many envelopes use them; an absent sender stays absent.

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/remote/type_registry.hpp>

#include "proto/wire.pb.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::remote::detail {

/// Builds batches, one at a time, reusing its allocations from one batch to the next.
/// Not thread-safe (one writer).
class batch_builder {
 public:
  /// `max_payload`: the largest encoded message accepted (what fits a peer's frame limit).
  explicit batch_builder(const type_registry& types, std::size_t max_payload = SIZE_MAX) noexcept
      : types_(types), max_payload_(max_payload) {}

  /// Adds one message. Errors: `errc::unknown_type` (no codec for its type),
  /// `errc::invalid_argument` (the codec could not encode it), `errc::frame_too_large` (its
  /// encoding exceeds `max_payload`); nothing is added then.
  expected<void> add(const actor::pid& target, const actor::pid& sender, const actor::message& m);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// Payload bytes so far (what the batch limit counts).
  [[nodiscard]] std::size_t payload_bytes() const noexcept { return bytes_; }
  /// An upper bound of the serialised batch's size: payloads, tables and per-envelope fields.
  [[nodiscard]] std::size_t encoded_bound() const noexcept {
    return bytes_ + tables_ + size_ * per_envelope_bound + 64;
  }

  /// Takes the last added message back out (its table entries stay; they are harmless).
  void drop_last();

  /// Stamps the batch with its number and the acknowledgement it carries, and returns it for
  /// serialisation; `reset()` starts the next one.
  const wire::Batch& stamp(std::uint64_t seq, std::uint64_t ack_session, std::uint64_t ack,
                           std::uint64_t handled);
  void reset();

 private:
  /// Value-keyed index of what is already in the batch (PIDs by address and ID, types by
  /// codec); cleared per batch without freeing.
  class index {
   public:
    /// Returns the index stored for `key`, or stores `next` and returns it.
    template <class Eq>
    std::uint32_t find_or_add(std::size_t hash, std::uint32_t next, Eq&& same);
    void clear() noexcept;

   private:
    struct slot {
      std::size_t hash = 0;
      std::uint32_t value = 0;
      std::uint32_t generation = 0;  // live in this batch iff equal to generation_
    };
    void grow();
    std::vector<slot> slots_ = std::vector<slot>(64);
    std::uint32_t generation_ = 1;
    std::size_t used_ = 0;
  };

  std::uint32_t type_index(const codec& c);
  std::uint32_t pid_index(const actor::pid& p);

  /// Envelope framing and its three indexes, at most.
  static constexpr std::size_t per_envelope_bound = 32;

  const type_registry& types_;
  const std::size_t max_payload_;
  std::size_t tables_ = 0;  // bytes of type names and PIDs (with their framing)
  wire::Batch batch_;
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  index types_index_;
  index pids_index_;
  std::vector<const codec*> type_codecs_;  // by type index
};

/// One message taken out of a batch.
struct incoming {
  actor::pid target;
  actor::pid sender;  // empty when the sender was absent
  actor::message msg;
};

/// Checks, without parsing or allocating, that a serialised batch stays within the receiver's
/// table limits (envelopes, PIDs, type names); `errc::protocol_error` otherwise, or when the bytes
/// are not a well-formed message at all.
expected<void> check_batch_shape(std::string_view payload);

/// Makes the PID for one entry of a batch's PID table (address, ID); lets the receiver bind
/// local targets once per batch instead of once per message.
using pid_factory = std::function<actor::pid(std::string_view address, std::string_view id)>;

/// Decodes every envelope of `batch` into `out` (cleared first), so a batch is delivered
/// completely or not at all. Errors: `errc::protocol_error` (an index out of range, an empty
/// PID), `errc::unknown_type` (a type name without codec), `errc::invalid_argument` (a payload
/// its codec rejects). `make_pid` defaults to `actor::pid(address, id)`.
expected<void> decode_batch(const wire::Batch& batch, const type_registry& types,
                            std::vector<incoming>& out, const pid_factory& make_pid = {});

}  // namespace hollywood::remote::detail
