// SPDX-License-Identifier: MIT
#pragma once

/// A remote makes an engine reachable over TCP (optionally TLS) and carries messages to PIDs of
/// other engines with the semantics of a local send (docs/remote-protocol.md).
///
///   auto r =
///   remote::remote::create(remote::remote_config{}.with_listen("127.0.0.1:4000")).value();
///   r->types().add_protobuf<chat::Line>();
///   auto e = actor::engine::create(actor::engine_config{}.with_remote(r)).value();
///   e->send(actor::pid("127.0.0.1:4001", "chat/room"), line);   // queued, never blocks
///
/// `create` binds the listener (so the address, with the real port, is known before the engine
/// exists); the engine starts the remote and stops it when it shuts down. A remote serves one
/// engine, once: attaching it again is `errc::already_started`.

#include <hollywood/actor/metric_sink.hpp>
#include <hollywood/actor/remote_transport.hpp>
#include <hollywood/expected.hpp>
#include <hollywood/remote/events.hpp>
#include <hollywood/remote/remote_config.hpp>
#include <hollywood/remote/type_registry.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hollywood::remote {

namespace detail {
class remote_impl;
}

/// Counters since creation, and the connections open now. @threadsafe to read.
struct remote_stats {
  std::uint64_t messages_sent = 0;      // handed to the network in a batch
  std::uint64_t messages_received = 0;  // decoded from peers and handed to the engine
  std::uint64_t batches_sent = 0;
  std::uint64_t batches_received = 0;
  std::uint64_t frames_sent = 0;  // batches, acknowledgements and hellos
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_sent = 0;  // on the wire, before TLS
  std::uint64_t bytes_received = 0;
  std::uint64_t dead_letters = 0;  // every message this remote turned into a dead letter
  std::uint64_t dead_letters_maybe_delivered = 0;  // ... of which in doubt (sent, unacknowledged)
  std::uint64_t connections_accepted = 0;
  std::uint64_t connects = 0;              // outbound connections established (handshake done)
  std::uint64_t reconnects = 0;            // ... to a peer this remote had been connected to before
  std::uint64_t unreachable_events = 0;    // outages declared (`remote_unreachable_event`)
  std::uint64_t protocol_errors = 0;       // inbound connections closed for bad input
  std::uint64_t outbound_connections = 0;  // open now
  std::uint64_t inbound_connections = 0;   // open now
};

/// @threadsafe
class remote final : public actor::remote_transport {
 public:
  /// Validates `config` (`errc::invalid_config`), sets up TLS (`errc::invalid_config` for PEM
  /// files that do not load) and binds the listener (the socket error if the address is taken).
  static expected<std::shared_ptr<remote>> create(remote_config config);

  remote(const remote&) = delete;
  remote& operator=(const remote&) = delete;
  ~remote() override;

  /// "host:port" this remote listens on (with the port the system picked for port 0).
  [[nodiscard]] std::string address() const override;

  /// The codecs of the types that may cross.
  [[nodiscard]] type_registry& types() const noexcept;

  /// Closes the listener and every connection: queued messages become dead letters
  /// (`unreachable`), unacknowledged ones too (`maybe_delivered`), after waiting up to the linger
  /// time for them to be sent and acknowledged. Later sends to other engines become dead letters.
  /// Idempotent; the engine calls it when it shuts down.
  void stop();

  [[nodiscard]] remote_stats stats() const noexcept;
  /// Reports the remote's metrics (docs/operations.md: `hollywood_remote_*`) to `out`.
  void collect_metrics(actor::metric_sink& out) const;

  // -- actor::remote_transport (called by the engine) ----------------------------------

  std::error_code attach(actor::engine& e) override;
  void detach() noexcept override;
  actor::send_result route(const actor::pid& to, actor::message& m,
                           const actor::pid& sender) noexcept override;
  bool watch(const actor::pid& target, const actor::pid& watcher) noexcept override;
  void unwatch(const actor::pid& target, const actor::pid& watcher) noexcept override;

 private:
  explicit remote(std::unique_ptr<detail::remote_impl> impl) noexcept;

  std::unique_ptr<detail::remote_impl> impl_;
};

}  // namespace hollywood::remote
