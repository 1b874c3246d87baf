// SPDX-License-Identifier: MIT
#pragma once

// The remote's own message types: death-watch requests and death notices. They travel in
// ordinary batches under reserved names ("hollywood.*"), registered with every remote.

#include <hollywood/actor/supervision.hpp>
#include <hollywood/remote/type_registry.hpp>

#include <cstdint>

namespace hollywood::remote::detail {

// The byte they carry is never used: it keeps GCC from warning that an empty value's inline
// buffer is copied uninitialised when a message moves.

/// Sent to a watched actor's engine: start watching it for the sender.
struct watch_request {
  std::uint8_t unused = 0;
};
/// Sent to a watched actor's engine: stop watching it for the sender.
struct unwatch_request {
  std::uint8_t unused = 0;
};

/// Registers the codecs of `actor::terminated`, `watch_request` and `unwatch_request`.
void register_system_codecs(type_registry& types);

}  // namespace hollywood::remote::detail
