// SPDX-License-Identifier: MIT
#pragma once

/// The actor layer's view of a remote: something that gives the engine its network address and
/// carries messages to PIDs of other engines. The remote layer implements it; the actor layer
/// never sees sockets or serialisation.

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/send_result.hpp>

#include <string>
#include <system_error>

namespace hollywood::actor {

class engine;

/// @threadsafe
class remote_transport {
 public:
  virtual ~remote_transport() = default;

  /// The address this engine is reachable at; it becomes the engine's address.
  [[nodiscard]] virtual std::string address() const = 0;

  /// Called once by the engine it belongs to, while the engine starts; an error fails
  /// `engine::create` (a transport serves one engine, once).
  virtual std::error_code attach(engine& e) = 0;

  /// Called once when the engine shuts down, after every actor stopped and before the event
  /// stream closes; no `route` follows.
  virtual void detach() noexcept = 0;

  /// Takes `m` for `to` (whose address is another engine's). On any result but `delivered`
  /// (queued for the wire) `m` stays with the caller: `inbox_full` means the queue to that peer
  /// is at its bound, `unreachable` that the peer is known to be down or the transport stopped,
  /// `unknown_type` that no codec handles the payload.
  virtual send_result route(const pid& to, message& m, const pid& sender) noexcept = 0;

  /// Asks `target`'s engine to send `terminated` to `watcher` (a local PID) when `target`
  /// terminates; the transport itself sends `terminated` (reason `unreachable`) if that engine
  /// becomes unreachable or restarts first. False: the request could not even be queued (the
  /// engine then answers `watcher` at once).
  virtual bool watch(const pid& target, const pid& watcher) noexcept = 0;

  /// Cancels `watch` (best effort: a `terminated` already on its way still arrives and is
  /// filtered by the watcher).
  virtual void unwatch(const pid& target, const pid& watcher) noexcept = 0;
};

}  // namespace hollywood::actor
