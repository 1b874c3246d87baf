// SPDX-License-Identifier: MIT
#pragma once

/// Lifecycle messages. Every actor instance handles, in order: `initialized` and `started` before
/// any other message, then its messages, then `stopped` exactly once (when it stops, or when a
/// crash replaces it with a fresh instance). They reach `receive` like any message, so middleware
/// sees them too.

namespace hollywood::actor {

/// First message of every instance, before `started`. Set up state here.
struct initialized {};

/// Second message of every instance; the actor is registered and may receive messages.
struct started {};

/// Last message of an instance: release what it holds. Messages sent from here to other actors
/// are delivered; the instance itself receives nothing more.
struct stopped {};

}  // namespace hollywood::actor

namespace hollywood::actor {

/// The payload of the dead letter published when `stop` or `poison` names an actor that does not
/// exist (or already stopped).
struct stop_request {
  /// True for `poison`, false for `stop`.
  bool graceful = false;
};

}  // namespace hollywood::actor
