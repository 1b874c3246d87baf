// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <system_error>

namespace hollywood {

/// Error conditions reported by the library at its edges (configuration, requests, network,
/// decoding). Hot paths return result enums instead; asynchronous failures become events.
enum class errc {
  /// A configuration value is out of range or inconsistent.
  invalid_config = 1,
  /// An argument is malformed (empty PID, empty kind, bad address).
  invalid_argument,
  /// A request got no response before its deadline.
  timeout,
  /// The target of a request or stop does not exist (or is no longer alive).
  unknown_target,
  /// A blocking wait was attempted on an engine worker thread (inside an actor), which could
  /// deadlock the engine; use the non-blocking form instead.
  blocking_in_actor,
  /// The engine is shutting down or has shut down.
  engine_stopped,
  /// A response could not be delivered because the request was already answered or abandoned.
  response_dropped,
  /// An inbox is full and its overflow policy refused the message.
  inbox_full,
  /// The operation was already performed (starting twice, for example).
  already_started,
  /// The operation was cancelled before it completed.
  cancelled,
  /// Bytes from a peer violate the wire protocol (a malformed frame or batch).
  protocol_error,
  /// A frame announced more bytes than the configured limit.
  frame_too_large,
  /// A peer speaks another version of the wire protocol.
  version_mismatch,
  /// A message type has no codec registered (when sending), or a peer sent a type name nobody
  /// registered here (when receiving).
  unknown_type,
  /// A remote engine could not be reached.
  unreachable,
};

namespace detail {

class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "hollywood"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_config:
        return "invalid configuration";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::timeout:
        return "timed out";
      case errc::unknown_target:
        return "unknown or stopped target";
      case errc::blocking_in_actor:
        return "blocking wait refused inside an actor";
      case errc::engine_stopped:
        return "engine stopped";
      case errc::response_dropped:
        return "response dropped";
      case errc::inbox_full:
        return "inbox full";
      case errc::already_started:
        return "already started";
      case errc::cancelled:
        return "cancelled";
      case errc::protocol_error:
        return "protocol error";
      case errc::frame_too_large:
        return "frame too large";
      case errc::version_mismatch:
        return "protocol version mismatch";
      case errc::unknown_type:
        return "unknown message type";
      case errc::unreachable:
        return "peer unreachable";
    }
    return "unknown hollywood error";
  }
};

}  // namespace detail

/// Returns the category of `hollywood::errc` (name "hollywood").
inline const std::error_category& error_category() noexcept {
  static const detail::error_category_impl category;
  return category;
}

/// Makes an `std::error_code` from a library error.
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hollywood

template <>
struct std::is_error_code_enum<hollywood::errc> : std::true_type {};
