// SPDX-License-Identifier: MIT
#pragma once

/// What an actor is: a `receiver` with one method, made by a `producer` (a factory, called again
/// for a fresh instance after a crash).
///
///   struct counter : receiver {
///     int n = 0;
///     void receive(context& ctx) override {
///       if (ctx.is<increment>()) ++n;
///     }
///   };
///   engine.spawn(make_producer<counter>(), "counter");

#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hollywood::actor {

class context;

/// An actor's behaviour. `receive` runs on an engine worker, never concurrently with itself;
/// everything it touches of the actor's own state needs no synchronisation.
/// @actor_confined
class receiver {
 public:
  virtual ~receiver() = default;
  /// Handles the current message (`ctx.message()`). An exception escaping it is a crash: the
  /// actor is restarted per its spawn options.
  virtual void receive(context& ctx) = 0;
};

/// Makes a fresh receiver: once at spawn, once per restart. Called on an engine worker.
using producer = std::function<std::unique_ptr<receiver>()>;

/// Returns a producer that constructs `T` from copies of `args` each time.
template <class T, class... Args>
producer make_producer(Args&&... args) {
  static_assert(std::is_base_of_v<receiver, T>, "T must derive from hollywood::actor::receiver");
  return [captured = std::make_tuple(std::forward<Args>(args)...)]() -> std::unique_ptr<receiver> {
    return std::apply([](const auto&... a) { return std::make_unique<T>(a...); }, captured);
  };
}

namespace detail {

/// A receiver that calls a function object.
template <class F>
class fn_receiver final : public receiver {
 public:
  explicit fn_receiver(F f) : f_(std::move(f)) {}
  void receive(context& ctx) override { f_(ctx); }

 private:
  F f_;
};

}  // namespace detail

/// Returns a producer whose instances call a copy of `f(context&)`.
template <class F>
requires std::is_invocable_v<F&, context&> producer make_fn_producer(F&& f) {
  using D = std::decay_t<F>;
  return [f = D(std::forward<F>(f))]() -> std::unique_ptr<receiver> {
    return std::make_unique<detail::fn_receiver<D>>(f);
  };
}

}  // namespace hollywood::actor
