// SPDX-License-Identifier: MIT
#pragma once

/// Identities: `kind/id`, unique cluster-wide, served by at most one member at a time.
///
///   auto player = cluster->activate("player", "42");   // never blocks, never fails
///   player.send(move{3, 4});                           // from anywhere
///   auto r = player.request(query{}, 1s);              // blocking, from a plain thread
///   ctx.request(player.router(), player.wrap(query{}), 1s, then);   // from an actor
///
/// Inside the activated actor, `identity_of(ctx)` names the identity it serves (already in
/// `initialized`, so state can be reloaded there).

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/response.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace hollywood::cluster {

/// `kind/id`.
struct identity {
  std::string kind;
  std::string id;
  friend bool operator==(const identity&, const identity&) = default;
};

/// The identity an activation serves, from inside it; empty if `ctx` is not an activation.
[[nodiscard]] std::optional<identity> identity_of(const actor::context& ctx);

namespace detail {

/// What an identity reference sends to its member's router (library use).
struct routed {
  std::shared_ptr<const identity> target;
  actor::message payload;
  std::uint32_t shard = 0;
};

}  // namespace detail

/// A location-free reference to an identity: it routes each message to whichever member owns
/// the identity's shard at that moment (the message waits, bounded, while no owner is known),
/// and survives failover. Cheap to copy. @threadsafe (immutable)
class identity_ref {
 public:
  identity_ref() = default;
  identity_ref(actor::engine& e, actor::pid router, identity who, std::uint32_t shard)
      : engine_(&e),
        router_(std::move(router)),
        target_(std::make_shared<const identity>(std::move(who))),
        shard_(shard) {}

  explicit operator bool() const noexcept { return target_ != nullptr; }
  [[nodiscard]] const std::string& kind() const noexcept { return target_->kind; }
  [[nodiscard]] const std::string& id() const noexcept { return target_->id; }
  [[nodiscard]] std::uint32_t shard() const noexcept { return shard_; }

  /// Sends `msg` to the identity; `sender` (if any) is what the activation sees as the sender.
  template <class T>
  void send(T&& msg, const actor::pid& sender = {}) const {
    engine_->send_with_sender(router_, wrap(std::forward<T>(msg)), sender);
  }

  /// Blocking request from a plain thread (refused on an engine worker, like `engine::request`).
  template <class T>
  actor::response request(T&& msg, std::chrono::nanoseconds timeout) const {
    return engine_->request(router_, wrap(std::forward<T>(msg)), timeout);
  }

  /// For the actor APIs (`ctx.send`, `ctx.request`, `ctx.forward`): the local router to address
  /// and the message to give it.
  [[nodiscard]] const actor::pid& router() const noexcept { return router_; }
  template <class T>
  [[nodiscard]] detail::routed wrap(T&& msg) const {
    return detail::routed{target_, actor::message(std::forward<T>(msg)), shard_};
  }

 private:
  actor::engine* engine_ = nullptr;
  actor::pid router_;
  std::shared_ptr<const identity> target_;
  std::uint32_t shard_ = 0;
};

}  // namespace hollywood::cluster
