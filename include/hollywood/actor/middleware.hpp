// SPDX-License-Identifier: MIT
#pragma once

/// Middleware wraps an actor's receive: `receive_fn(receive_fn)`. With middleware (A, B), A wraps
/// B wraps the receiver, so A sees every message first, lifecycle messages included, and may
/// short-circuit by not calling `next`.
///
///   middleware logging = [](receive_fn next) {
///     return [next](context& ctx) { log(ctx.message().type_name()); next(ctx); };
///   };

#include <functional>

namespace hollywood::actor {

class context;

/// One step of handling a message.
using receive_fn = std::function<void(context&)>;

/// Wraps a `receive_fn` into another.
using middleware = std::function<receive_fn(receive_fn)>;

}  // namespace hollywood::actor
