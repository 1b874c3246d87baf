// SPDX-License-Identifier: MIT
#pragma once

/// The view an actor has of the world while it handles one message.
///
///   void receive(context& ctx) override {
///     if (auto* q = ctx.get_if<query>()) ctx.respond(answer{q->id});
///     ctx.match([&](const started&) { ctx.send_repeat(ctx.self(), tick{}, 1s); },
///               [&](const tick&) { ++ticks_; });
///   }
///
/// Sends from a context carry the actor as sender. A context is only valid during the `receive`
/// call (or request continuation) it was passed to.
/// @actor_confined

#include <hollywood/actor/completion.hpp>
#include <hollywood/actor/envelope.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/receiver.hpp>
#include <hollywood/actor/response.hpp>
#include <hollywood/actor/send_result.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/actor/timer.hpp>
#include <hollywood/expected.hpp>

#include <chrono>
#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hollywood::actor {

class engine;

namespace detail {
class process;
}

/// Continuation of a non-blocking request: runs later on the requesting actor, with the response
/// or an error (`errc::timeout`, `errc::unknown_target`).
using request_continuation = std::function<void(context&, expected<message>)>;

/// See the file comment. @actor_confined
class context {
 public:
  context(detail::process& self, envelope& current) noexcept : self_(self), current_(current) {}
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  // -- the current message -----------------------------------------------------

  /// Returns the message being handled.
  [[nodiscard]] actor::message& message() noexcept { return current_.msg; }

  /// Returns who sent it (empty when sent from outside any actor).
  [[nodiscard]] const pid& sender() const noexcept { return current_.sender; }

  template <class T>
  [[nodiscard]] bool is() const noexcept {
    return current_.msg.is<T>();
  }
  template <class T>
  [[nodiscard]] T* get_if() noexcept {
    return current_.msg.get_if<T>();
  }
  template <class T>
  [[nodiscard]] T& get() noexcept {
    return current_.msg.get<T>();
  }
  /// Calls the first handler whose parameter type the message holds; see `message::match`.
  template <class... Handlers>
  bool match(Handlers&&... handlers) {
    return current_.msg.match(std::forward<Handlers>(handlers)...);
  }

  // -- identity ----------------------------------------------------------------

  /// Returns this actor's PID.
  [[nodiscard]] pid self() const noexcept;
  /// Returns the kind it was spawned as ("worker" for "worker/7" and for "parent/1/worker/7").
  [[nodiscard]] std::string_view kind() const noexcept;
  /// Returns the parent's PID (empty for actors spawned by the engine).
  [[nodiscard]] const pid& parent() const noexcept;
  /// Returns the engine this actor runs on.
  [[nodiscard]] actor::engine& engine() const noexcept;

  // -- messaging ---------------------------------------------------------------

  /// Sends `msg` to `to` with this actor as sender.
  template <class T>
  void send(const pid& to, T&& msg) {
    send_message(to, wrap(std::forward<T>(msg)));
  }

  /// Sends a type-erased message with this actor as sender.
  void send_message(const pid& to, actor::message msg);

  /// Sends `msg` and reports what happened; see `engine::try_send`. Never blocks: a `block`
  /// inbox that is full answers `inbox_full` to a sender inside an actor.
  template <class T>
  send_result try_send(const pid& to, T&& msg) {
    return try_send_message(to, wrap(std::forward<T>(msg)));
  }
  send_result try_send_message(const pid& to, actor::message msg);

  /// Sends `msg` to the current sender; a no-op when there is none.
  template <class T>
  void respond(T&& msg) {
    if (current_.sender) send_message(current_.sender, wrap(std::forward<T>(msg)));
  }

  /// Passes the current message on to `to`, keeping its original sender. The message is moved:
  /// afterwards `message()` is empty.
  void forward(const pid& to);

  /// Sends `msg` to `to` and runs `then` on this actor when the response (or the timeout)
  /// arrives; the worker is never blocked. The responder's PID is the sender `to` sees.
  template <class T>
  void request(const pid& to, T&& msg, std::chrono::nanoseconds timeout,
               request_continuation then) {
    request_message(to, wrap(std::forward<T>(msg)), timeout, std::move(then));
  }
  void request_message(const pid& to, actor::message msg, std::chrono::nanoseconds timeout,
                       request_continuation then);

  // -- children ----------------------------------------------------------------

  /// Spawns a child "self-id/kind/id". Children stop before their parent does. Without
  /// options, the child has the defaults (spawn_options{}) and a generated ID.
  pid spawn_child(producer make, std::string_view kind);
  pid spawn_child(producer make, std::string_view kind, spawn_options options);

  /// Spawns a child whose instances call copies of `f(context&)`.
  template <class F>
  requires std::is_invocable_v<F&, context&> pid spawn_child_fn(F&& f, std::string_view kind) {
    return spawn_child(make_fn_producer(std::forward<F>(f)), kind);
  }
  template <class F>
  requires std::is_invocable_v<F&, context&> pid spawn_child_fn(F&& f, std::string_view kind,
                                                                spawn_options options) {
    return spawn_child(make_fn_producer(std::forward<F>(f)), kind, std::move(options));
  }

  /// Returns the live children.
  [[nodiscard]] const std::vector<pid>& children() const noexcept;

  /// Returns the child whose ID is "self-id/<relative_id>", or the empty PID.
  [[nodiscard]] pid child(std::string_view relative_id) const;

  // -- death watch -------------------------------------------------------------

  /// Asks to receive `terminated{target, reason, detail}` once `target` is gone for good
  /// (stopped, poisoned, crashed past its restarts); restarts do not count. A target that does
  /// not exist (or is already gone) answers at once with `termination_reason::not_found`.
  /// Watching twice delivers once.
  void watch(const pid& target);

  /// Cancels `watch`: no `terminated` for `target` is delivered after this call.
  void unwatch(const pid& target);

  // -- lifecycle of others -----------------------------------------------------

  /// Stops `target` gracefully after the messages queued before this call; see `engine::poison`.
  completion poison(const pid& target);
  /// Stops `target` now; see `engine::stop`.
  completion stop(const pid& target);

  // -- timers (stopped automatically when this actor stops) -------------------------------

  /// Sends `msg` to `to` once after `delay`, with this actor as sender.
  template <class T>
  timer send_after(const pid& to, T&& msg, std::chrono::nanoseconds delay) {
    return schedule_timer(to, make_sender(std::forward<T>(msg)), delay, {});
  }

  /// Sends a copy of `msg` to `to` every `interval`, with this actor as sender.
  template <class T>
  timer send_repeat(const pid& to, T&& msg, std::chrono::nanoseconds interval) {
    static_assert(std::is_copy_constructible_v<std::remove_cvref_t<T>>,
                  "send_repeat sends copies: the message type must be copyable");
    return schedule_timer(to, make_sender(std::forward<T>(msg)), interval, interval);
  }

  /// Library use: the process this context belongs to.
  [[nodiscard]] detail::process& process() const noexcept { return self_; }

 private:
  using message_maker = std::function<actor::message()>;

  template <class T>
  static actor::message wrap(T&& msg) {
    if constexpr (std::is_same_v<std::remove_cvref_t<T>, actor::message>) {
      return std::forward<T>(msg);
    } else {
      return actor::message(std::forward<T>(msg));
    }
  }
  template <class T>
  static message_maker make_sender(T&& msg) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_copy_constructible_v<U>) {
      return [m = U(std::forward<T>(msg))] { return actor::message(m); };
    } else {
      // One-shot timers may carry move-only messages: the maker runs at most once.
      auto holder = std::make_shared<U>(std::forward<T>(msg));
      return [holder] { return actor::message(std::move(*holder)); };
    }
  }
  timer schedule_timer(const pid& to, message_maker make, std::chrono::nanoseconds first,
                       std::chrono::nanoseconds interval);

  detail::process& self_;
  envelope& current_;
};

}  // namespace hollywood::actor
