// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/expected.hpp>

#include <chrono>

namespace hollywood::actor {

/// A request timeout that never expires: no timer is armed, and a blocking `get()` waits for the
/// response however long it takes.
inline constexpr std::chrono::nanoseconds infinite_timeout = std::chrono::nanoseconds::max();

/// The pending answer of a blocking `engine::request`: a one-shot future.
///
///   auto r = engine.request(server, query{7}, 1s);
///   if (auto answer = r.get()) use(answer->get<result>());
///   else if (answer.error() == hollywood::errc::timeout) ...
///
/// The request's deadline is fixed when the request is made. The first response wins; a second
/// or late response becomes a dead letter (`late_response`), never blocks the responder. The
/// temporary responder behind it is released when the response or the deadline arrives, or when
/// this object is destroyed, whichever comes first.
/// Not thread-safe: one thread waits on a response.
class response {
 public:
  response() noexcept = default;
  explicit response(pid responder) noexcept : responder_(std::move(responder)) {}
  response(response&&) noexcept = default;
  response& operator=(response&&) noexcept = default;
  ~response();

  /// Waits until the response or the deadline arrives. Errors: `errc::timeout`,
  /// `errc::blocking_in_actor` (called on an engine worker: use `context::request`),
  /// `errc::unknown_target` (the request could not be sent), `errc::cancelled` (after `get`
  /// returned once).
  expected<message> get();

  /// Returns whether `get()` would return without waiting.
  [[nodiscard]] bool ready() const noexcept;

  /// Returns the responder's PID: the sender the target saw.
  [[nodiscard]] const pid& responder() const noexcept { return responder_; }

 private:
  pid responder_;
};

}  // namespace hollywood::actor
