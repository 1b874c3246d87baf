// SPDX-License-Identifier: MIT
#pragma once

/// Events the engine publishes on its event stream (`engine::subscribe`). Each is a plain,
/// copyable value; subscribers receive a copy as an ordinary message.

#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hollywood::actor {

/// Published after an actor instance handled `initialized`.
struct actor_initialized_event {
  pid actor;
};

/// Published after an actor instance handled `started`.
struct actor_started_event {
  pid actor;
};

/// Published once per actor, after it handled `stopped` for good and left the registry.
struct actor_stopped_event {
  pid actor;
};

/// Published when a crashed actor gets a fresh instance. `restarts` counts restarts so far
/// (within the restart window); `reason` is "<exception type>: <what()>".
struct actor_restarted_event {
  pid actor;
  std::uint32_t restarts = 0;
  std::string reason;
};

/// Published when an actor crashed once more than `max_restarts` allows; it then stops.
struct actor_max_restarts_exceeded_event {
  pid actor;
  std::uint32_t restarts = 0;
  std::string reason;
};

/// Published when a spawn used an ID that is taken; nothing was spawned, `actor` is the existing
/// actor.
struct actor_duplicate_id_event {
  pid actor;
};

/// Published for every message that could not be handled. `message` is shared so the event
/// stays copyable whatever the payload type.
struct dead_letter_event {
  pid target;
  std::shared_ptr<const hollywood::actor::message> message;
  pid sender;
  dead_letter_reason reason = dead_letter_reason::unknown_target;
  /// More detail where there is some (the exception for `crashed`).
  std::string detail;
};

}  // namespace hollywood::actor
