// SPDX-License-Identifier: MIT
#pragma once

/// Events a remote publishes on its engine's event stream (`engine::subscribe`).

#include <cstdint>
#include <string>
#include <system_error>

namespace hollywood::remote {

/// Published once per outage: `address` stayed unreachable past the unreachable deadline.
/// `dead_letters` counts the queued messages that became dead letters then; later sends during
/// the outage become dead letters at once, until a connection succeeds again.
struct remote_unreachable_event {
  std::string address;
  std::uint64_t dead_letters = 0;
};

/// Published when an outbound connection to `address` is established (first time or again).
struct remote_connected_event {
  std::string address;
};

/// Published when an outbound connection to `address` is lost. `maybe_delivered` counts the
/// messages of unacknowledged batches, which became dead letters with that reason.
struct remote_disconnected_event {
  std::string address;
  std::string reason;
  std::uint64_t maybe_delivered = 0;
};

/// Published when an inbound connection is closed because its bytes broke the protocol
/// (oversized or malformed frame, wrong version, unknown type, ...). `endpoint` is the socket's
/// remote endpoint, `address` the engine address the peer announced (empty before its hello).
struct remote_protocol_error_event {
  std::string endpoint;
  std::string address;
  std::error_code error;
  std::string reason;
};

}  // namespace hollywood::remote
