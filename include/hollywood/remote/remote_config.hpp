// SPDX-License-Identifier: MIT
#pragma once

/// Configuration of a remote: a value type, every field with its named default.
///
///   auto cfg = remote::remote_config{}
///                  .with_listen("127.0.0.1:4000")
///                  .with_unreachable_deadline(std::chrono::seconds(2));

#include <hollywood/remote/type_registry.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hollywood::remote {

/// Listen address when none is given: loopback, a port the system picks.
inline constexpr std::string_view default_listen = "127.0.0.1:0";
/// Messages queued for one peer before further sends to it are refused (dead letters).
inline constexpr std::size_t default_peer_queue_capacity = std::size_t{1} << 20;
/// How long a peer may stay unreachable before queued messages become dead letters.
inline constexpr std::chrono::milliseconds default_unreachable_deadline{5000};
/// First and largest pause between reconnection attempts (doubling in between).
inline constexpr std::chrono::milliseconds default_reconnect_min{10};
inline constexpr std::chrono::milliseconds default_reconnect_max{1000};
/// Limits of one batch a writer sends.
inline constexpr std::size_t default_max_batch_messages = 4096;
inline constexpr std::size_t default_max_batch_bytes = std::size_t{256} << 10;
/// The most envelopes a receiver accepts in one batch (a hostile batch of tiny envelopes would
/// otherwise cost far more memory than its frame); `max_batch_messages` may not exceed it.
inline constexpr std::size_t max_batch_envelopes = std::size_t{1} << 16;
/// Largest frame accepted from a peer (a hostile length beyond it closes the connection).
inline constexpr std::size_t default_max_frame_bytes = std::size_t{16} << 20;
/// Batches sent to one peer and not yet acknowledged, before the writer waits.
inline constexpr std::uint32_t default_max_unacked_batches = 64;
/// How long an acknowledgement waits for a batch to ride on before it is sent alone.
inline constexpr std::chrono::microseconds default_ack_delay{500};
/// How long an acknowledgement may take before the connection is deemed broken.
inline constexpr std::chrono::milliseconds default_ack_timeout{5000};
/// Inbound connections open at once; more are refused (closed at once).
inline constexpr std::size_t default_max_inbound_connections = 1024;
/// How long an accepted connection may take to finish its TLS handshake and say hello.
inline constexpr std::chrono::milliseconds default_handshake_timeout{10000};
/// How long the I/O thread keeps polling after its last piece of work before it blocks.
inline constexpr std::chrono::microseconds default_io_spin{20};
/// How long `stop()` (and engine shutdown) waits for queued messages to be sent and acknowledged.
inline constexpr std::chrono::milliseconds default_linger{1000};

/// Which side proves its identity with a certificate.
enum class tls_verification : std::uint8_t {
  /// Clients check the server's certificate (chain and IP or host name) against the CA.
  server,
  /// Both sides present certificates and check the other's against the CA.
  mutual,
};

/// TLS from PEM files. Each engine is a server (its listener) and a client (its dials), so one
/// certificate serves both roles; it must name the address peers dial (an IP SAN for
/// 127.0.0.1, for example).
struct tls_config {
  std::string certificate_file;  // PEM chain of this engine
  std::string private_key_file;  // PEM key of that certificate
  std::string ca_file;           // PEM CA certificates trusted for peers
  tls_verification verification = tls_verification::server;
};

struct remote_config {
  /// "host:port" to listen on; port 0 picks a free one (the remote's address has the real port).
  std::string listen{default_listen};
  /// Codecs of the message types that may cross; shared, so several remotes may use one. Null: a
  /// fresh, empty registry (reach it with `remote::types()`).
  std::shared_ptr<type_registry> types;
  /// TLS for every connection; none: plain TCP.
  std::optional<tls_config> tls;
  std::size_t peer_queue_capacity = default_peer_queue_capacity;
  std::chrono::milliseconds unreachable_deadline = default_unreachable_deadline;
  std::chrono::milliseconds reconnect_min = default_reconnect_min;
  std::chrono::milliseconds reconnect_max = default_reconnect_max;
  std::size_t max_batch_messages = default_max_batch_messages;
  std::size_t max_batch_bytes = default_max_batch_bytes;
  std::size_t max_frame_bytes = default_max_frame_bytes;
  std::uint32_t max_unacked_batches = default_max_unacked_batches;
  std::chrono::milliseconds ack_timeout = default_ack_timeout;
  std::chrono::microseconds ack_delay = default_ack_delay;
  std::chrono::milliseconds handshake_timeout = default_handshake_timeout;
  std::size_t max_inbound_connections = default_max_inbound_connections;
  std::chrono::milliseconds linger = default_linger;
  /// 0: block at once when idle (lowest CPU use, higher latency).
  std::chrono::microseconds io_spin = default_io_spin;

  [[nodiscard]] remote_config with_listen(std::string v) const {
    auto c = *this;
    c.listen = std::move(v);
    return c;
  }
  [[nodiscard]] remote_config with_types(std::shared_ptr<type_registry> v) const {
    auto c = *this;
    c.types = std::move(v);
    return c;
  }
  [[nodiscard]] remote_config with_tls(tls_config v) const {
    auto c = *this;
    c.tls = std::move(v);
    return c;
  }
  [[nodiscard]] remote_config with_peer_queue_capacity(std::size_t v) const {
    auto c = *this;
    c.peer_queue_capacity = v;
    return c;
  }
  [[nodiscard]] remote_config with_unreachable_deadline(std::chrono::milliseconds v) const {
    auto c = *this;
    c.unreachable_deadline = v;
    return c;
  }
  [[nodiscard]] remote_config with_reconnect_backoff(std::chrono::milliseconds min,
                                                     std::chrono::milliseconds max) const {
    auto c = *this;
    c.reconnect_min = min;
    c.reconnect_max = max;
    return c;
  }
  [[nodiscard]] remote_config with_max_batch(std::size_t messages, std::size_t bytes) const {
    auto c = *this;
    c.max_batch_messages = messages;
    c.max_batch_bytes = bytes;
    return c;
  }
  [[nodiscard]] remote_config with_max_frame_bytes(std::size_t v) const {
    auto c = *this;
    c.max_frame_bytes = v;
    return c;
  }
  [[nodiscard]] remote_config with_max_unacked_batches(std::uint32_t v) const {
    auto c = *this;
    c.max_unacked_batches = v;
    return c;
  }
  [[nodiscard]] remote_config with_ack_timeout(std::chrono::milliseconds v) const {
    auto c = *this;
    c.ack_timeout = v;
    return c;
  }
  [[nodiscard]] remote_config with_handshake_timeout(std::chrono::milliseconds v) const {
    auto c = *this;
    c.handshake_timeout = v;
    return c;
  }
  [[nodiscard]] remote_config with_io_spin(std::chrono::microseconds v) const {
    auto c = *this;
    c.io_spin = v;
    return c;
  }
  [[nodiscard]] remote_config with_max_inbound_connections(std::size_t v) const {
    auto c = *this;
    c.max_inbound_connections = v;
    return c;
  }
  [[nodiscard]] remote_config with_linger(std::chrono::milliseconds v) const {
    auto c = *this;
    c.linger = v;
    return c;
  }

  /// Returns a description of the first invalid field, or an empty string when all are valid.
  [[nodiscard]] std::string problem() const;
};

}  // namespace hollywood::remote
