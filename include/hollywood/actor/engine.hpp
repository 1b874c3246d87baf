// SPDX-License-Identifier: MIT
#pragma once

/// The engine: spawns actors, delivers messages, runs the workers.
///
///   auto e = engine::create().value();
///   pid greeter = e->spawn(make_producer<hello>(), "hello");
///   e->send(greeter, std::string{"world"});
///   auto r = e->request(greeter, query{}, 1s);   // blocking request from a plain thread
///   e->poison(greeter).wait();
///
/// Every member function is safe to call from any thread, including from inside actors (except
/// the blocking waits, which refuse to block a worker). `shutdown()` (also run by the destructor)
/// poisons every actor, children first, and joins every thread the engine started.
/// @threadsafe

#include <hollywood/actor/completion.hpp>
#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/engine_config.hpp>
#include <hollywood/actor/envelope.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/metric_sink.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/receiver.hpp>
#include <hollywood/actor/response.hpp>
#include <hollywood/actor/send_result.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/actor/stats.hpp>
#include <hollywood/actor/timer.hpp>
#include <hollywood/expected.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hollywood::actor {

namespace detail {
class engine_impl;
}

/// See the file comment. @threadsafe
class engine {
 public:
  // -- construction ------------------------------------------------------------

  /// Creates and starts an engine. Errors: `errc::invalid_config` (the log names the field).
  static expected<std::unique_ptr<engine>> create(engine_config config = {});

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;
  /// Runs `shutdown()`.
  ~engine();

  // -- spawning ----------------------------------------------------------------

  /// Spawns an actor "kind/id" and returns its PID once it is registered; it handles
  /// `initialized` and `started` before any message. Called from a thread that is not running
  /// an actor, the producer, `initialized` and `started` run on the calling thread before this
  /// returns (as in Hollywood); called from a handler, on a worker after the handler's turn
  /// (docs/threading.md). If the ID is taken, spawns nothing, publishes `actor_duplicate_id_event`
  /// and returns the existing actor's PID. Invalid input or a stopped engine returns the empty PID
  /// (see `try_spawn` for the reason). Without options, the actor has the defaults
  /// (spawn_options{}) and a generated ID, and the caller builds no options object.
  pid spawn(producer make, std::string_view kind);
  pid spawn(producer make, std::string_view kind, spawn_options options);

  /// Like `spawn`, reporting `errc::invalid_argument` (empty kind, null producer) or
  /// `errc::engine_stopped`.
  expected<pid> try_spawn(producer make, std::string_view kind);
  expected<pid> try_spawn(producer make, std::string_view kind, spawn_options options);

  /// Spawns an actor whose instances call copies of `f(context&)`.
  template <class F>
  requires std::is_invocable_v<F&, context&> pid spawn_fn(F&& f, std::string_view kind) {
    return spawn(make_fn_producer(std::forward<F>(f)), kind);
  }
  template <class F>
  requires std::is_invocable_v<F&, context&> pid spawn_fn(F&& f, std::string_view kind,
                                                          spawn_options options) {
    return spawn(make_fn_producer(std::forward<F>(f)), kind, std::move(options));
  }

  // -- messaging ---------------------------------------------------------------

  /// Sends `msg` to `to` without a sender. Fire-and-forget: never blocks, never throws (except
  /// `std::bad_alloc` for a large payload). An unknown or stopped target gets a dead letter; the
  /// empty PID is a no-op.
  template <class T>
  void send(const pid& to, T&& msg) {
    send_message(to, wrap(std::forward<T>(msg)), {});
  }

  /// Sends `msg` with `sender` as its sender (for example `root()`).
  template <class T>
  void send_with_sender(const pid& to, T&& msg, const pid& sender) {
    send_message(to, wrap(std::forward<T>(msg)), sender);
  }

  /// Sends a type-erased message.
  void send_message(const pid& to, message msg, const pid& sender);

  /// Sends `msg` and reports what happened. Unlike `send`, a full bounded inbox that refuses the
  /// message (`fail`, or `block` past its deadline) is not a dead letter: the result says
  /// `inbox_full` and the caller decides. Every other failure is a dead letter, as with `send`.
  template <class T>
  send_result try_send(const pid& to, T&& msg, const pid& sender = {}) {
    return try_send_message(to, wrap(std::forward<T>(msg)), sender);
  }
  send_result try_send_message(const pid& to, message msg, const pid& sender);

  /// Sends `msg` to `to` from a temporary responder and returns the pending response. The timeout
  /// counts from this call.
  template <class T>
  response request(const pid& to, T&& msg, std::chrono::nanoseconds timeout) {
    return request_message(to, wrap(std::forward<T>(msg)), timeout);
  }
  response request_message(const pid& to, message msg, std::chrono::nanoseconds timeout);

  /// Returns a PID that code outside actors can use as sender; what is sent to it is read with
  /// `receive`.
  [[nodiscard]] const pid& root() const noexcept;

  /// Returns the next envelope sent to `root()`, waiting up to `timeout`. Errors: `errc::timeout`,
  /// `errc::blocking_in_actor`.
  expected<envelope> receive(std::chrono::nanoseconds timeout);

  // -- stopping ----------------------------------------------------------------

  /// Stops `target` after it handled everything queued before this call; its descendants stop
  /// first. Messages arriving later are dead letters. The completion fires once it handled
  /// `stopped` and left the registry; for an unknown target, at once (with a dead letter).
  completion poison(const pid& target);

  /// Stops `target` now: queued messages become dead letters (reason `stopped`), its descendants
  /// stop first, then it handles `stopped`. Concurrent stops and poisons yield one `stopped`.
  completion stop(const pid& target);

  /// Poisons every actor (children first), waits for them, then stops the workers and timers
  /// and joins their threads. Idempotent. On an engine worker it only starts the shutdown.
  void shutdown();

  // -- registry ----------------------------------------------------------------

  /// Returns the actor "kind/id" (the empty PID if there is none).
  [[nodiscard]] pid lookup(std::string_view kind, std::string_view id) const;
  /// Returns the actor with the full ID `id` ("kind/id", "parent/kind/id").
  [[nodiscard]] pid lookup(std::string_view id) const;
  /// Returns the PIDs of the live actors of `kind`.
  [[nodiscard]] std::vector<pid> pids(std::string_view kind) const;

  // -- events ------------------------------------------------------------------

  /// Returns the event stream actor's PID.
  [[nodiscard]] const pid& event_stream() const noexcept;
  /// Subscribes `subscriber` to every event published after this call returns.
  void subscribe(const pid& subscriber);
  /// Unsubscribes `subscriber` (by value: any PID equal to the subscribed one).
  void unsubscribe(const pid& subscriber);
  /// Publishes `event` to every subscriber.
  template <class T>
  void broadcast_event(T&& event) {
    static_assert(std::is_copy_constructible_v<std::remove_cvref_t<T>>,
                  "events are copied to every subscriber");
    publish(wrap(std::forward<T>(event)));
  }

  // -- timers ------------------------------------------------------------------

  /// Sends `msg` to `to` once after `delay`.
  template <class T>
  timer send_after(const pid& to, T&& msg, std::chrono::nanoseconds delay, const pid& sender = {}) {
    return schedule_timer(to, maker(std::forward<T>(msg)), delay, {}, sender);
  }

  /// Sends a copy of `msg` to `to` every `interval` until stopped.
  template <class T>
  timer send_repeat(const pid& to, T&& msg, std::chrono::nanoseconds interval,
                    const pid& sender = {}) {
    static_assert(std::is_copy_constructible_v<std::remove_cvref_t<T>>,
                  "send_repeat sends copies: the message type must be copyable");
    return schedule_timer(to, maker(std::forward<T>(msg)), interval, interval, sender);
  }

  // -- introspection -----------------------------------------------------------

  /// Returns the engine's address (`local` or the remote's address).
  [[nodiscard]] std::string_view address() const noexcept;
  /// Returns whether the engine runs: false once `shutdown()` began (a health check).
  [[nodiscard]] bool running() const noexcept;
  /// Returns a snapshot of actors, kinds, inbox depths, processed counts, restarts, dead letters
  /// and workers.
  [[nodiscard]] engine_stats stats() const;
  /// Reports the engine's metrics (docs/operations.md: `hollywood_actor_*`,
  /// `hollywood_dead_letters_total`, `hollywood_scheduler_*`) to `out`: a snapshot like `stats()`
  /// without the per-actor list. Costs the senders and actors nothing: it reads counters they keep
  /// anyway.
  void collect_metrics(metric_sink& out) const;
  [[nodiscard]] const engine_config& config() const noexcept;

  /// Death watch on behalf of `watcher` (any PID, local or on another engine): `watcher` gets
  /// `terminated` (with `target` as sender) when `target` stops, crashes for good, is not found,
  /// or (for a target on another engine) its engine becomes unreachable. Actors use
  /// `context::watch`, which also filters notices after `unwatch`.
  void watch(const pid& target, const pid& watcher);
  /// Cancels `watch` for this pair.
  void unwatch(const pid& target, const pid& watcher);

  /// For transports: a mark after every message queued so far for `target` (a local actor), and
  /// whether the actor has since taken all of them out of its inbox (handled them, or turned them
  /// into dead letters when it stopped). For any other PID the mark is 0 and always passed. Lets
  /// a remote acknowledge messages only once they are handled. @threadsafe
  [[nodiscard]] std::uint64_t inbox_mark(const pid& target) const noexcept;
  [[nodiscard]] bool inbox_passed(const pid& target, std::uint64_t mark) const noexcept;

  /// For transports and extensions: publishes a dead letter for `msg` (counted in `stats()`,
  /// delivered to subscribers as a `dead_letter_event`, logged when nobody subscribes).
  void dead_letter(const pid& target, message msg, const pid& sender, dead_letter_reason reason,
                   std::string detail = {});

  /// For extensions that carry user messages inside an envelope of their own (the cluster hands
  /// a message to another member that way): shows the user's message and its real target in
  /// every later dead letter instead of the envelope, and leaves anything else alone. Called
  /// from any thread, on the dead letter's path; must not block; an exception it throws is
  /// ignored. One rewrite per engine (the cluster installs one): setting another replaces it,
  /// and an empty function removes it. @threadsafe
  using dead_letter_rewrite = std::function<void(pid& target, message& msg)>;
  void set_dead_letter_rewrite(dead_letter_rewrite fn);

  /// Library use.
  [[nodiscard]] detail::engine_impl& impl() noexcept { return *impl_; }

 private:
  explicit engine(engine_config config);

  using message_maker = std::function<message()>;

  template <class T>
  static message wrap(T&& msg) {
    if constexpr (std::is_same_v<std::remove_cvref_t<T>, message>) {
      return std::forward<T>(msg);
    } else {
      return message(std::forward<T>(msg));
    }
  }
  template <class T>
  static message_maker maker(T&& msg) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_copy_constructible_v<U>) {
      return [m = U(std::forward<T>(msg))] { return message(m); };
    } else {
      auto holder = std::make_shared<U>(std::forward<T>(msg));
      return [holder] { return message(std::move(*holder)); };
    }
  }
  void publish(message event);
  timer schedule_timer(const pid& to, message_maker make, std::chrono::nanoseconds first,
                       std::chrono::nanoseconds interval, const pid& sender);

  std::unique_ptr<detail::engine_impl> impl_;
};

}  // namespace hollywood::actor
