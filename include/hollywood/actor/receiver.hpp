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

#include <cstddef>
#include <memory>
#include <new>
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

  // A receiver of up to 128 bytes lives in one of the engine's slab heaps, as processes do: a
  // spawn makes one, and malloc's chunk (its header and rounding, and a fresh page's fault on the
  // spawning thread) cost a sixth of a spawn. Larger ones come from the global operator new.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;
  // Declaring the above hides the global forms; over-aligned receivers and placement new keep
  // theirs. (There is no nothrow form: `new (std::nothrow)` a receiver does not compile.)
  static void* operator new(std::size_t size, std::align_val_t align) {
    return ::operator new(size, align);
  }
  // The unsized global form: clang before 19 declares the sized ones only with
  // -fsized-deallocation.
  static void operator delete(void* p, std::size_t, std::align_val_t align) noexcept {
    ::operator delete(p, align);
  }
  static void* operator new(std::size_t, void* where) noexcept { return where; }
  static void operator delete(void*, void*) noexcept {}
};

/// Makes a fresh receiver: once at spawn, once per restart. Called on an engine worker.
///
/// A copyable, type-erased `std::unique_ptr<receiver>()` callable, like the `std::function` it
/// replaces, but 16 bytes: every actor keeps its producer for restarts, so its size is paid per
/// actor. A callable of up to one pointer's size (a lambda capturing one PID or pointer, or
/// nothing) is stored in place whether or not it is trivially copyable; a larger one is
/// allocated.
/// Not thread-safe: one thread at a time uses a given producer (the engine calls it only on the
/// actor's worker); copies are independent.
class producer {
 public:
  producer() noexcept = default;
  producer(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): like std::function

  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, producer> &&
           std::is_convertible_v<std::invoke_result_t<std::decay_t<F>&>,
                                 std::unique_ptr<receiver>>)
      producer(F&& f)  // NOLINT(google-explicit-constructor): lambdas convert, as to std::function
      : ops_(&ops_for<std::decay_t<F>>) {
    using D = std::decay_t<F>;
    if constexpr (in_place<D>) {
      ::new (static_cast<void*>(&storage_)) D(std::forward<F>(f));
    } else {
      ::new (static_cast<void*>(&storage_)) D*(new D(std::forward<F>(f)));
    }
  }

  producer(const producer& other) : ops_(other.ops_) {
    if (ops_ != nullptr) ops_->copy(&other.storage_, &storage_);
  }
  producer(producer&& other) noexcept : ops_(std::exchange(other.ops_, nullptr)) {
    if (ops_ != nullptr) ops_->relocate(&other.storage_, &storage_);
  }
  producer& operator=(const producer& other) {
    if (this != &other) *this = producer(other);
    return *this;
  }
  producer& operator=(producer&& other) noexcept {
    if (this != &other) {
      reset();
      ops_ = std::exchange(other.ops_, nullptr);
      if (ops_ != nullptr) ops_->relocate(&other.storage_, &storage_);
    }
    return *this;
  }
  producer& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  ~producer() { reset(); }

  /// Whether it holds a callable.
  explicit operator bool() const noexcept { return ops_ != nullptr; }

  /// Makes a receiver. @pre it holds a callable.
  std::unique_ptr<receiver> operator()() const { return ops_->call(&storage_); }

 private:
  struct storage {
    alignas(void*) unsigned char bytes[sizeof(void*)];
  };

  template <class D>
  static constexpr bool in_place =
      sizeof(D) <= sizeof(storage) &&
      alignof(D) <= alignof(storage) && std::is_nothrow_move_constructible_v<D>;

  struct ops {
    std::unique_ptr<receiver> (*call)(const storage*);
    void (*copy)(const storage* from, storage* to);
    /// Moves the callable to `to` and destroys it at `from`.
    void (*relocate)(storage* from, storage* to) noexcept;
    void (*destroy)(storage*) noexcept;
  };

  template <class D>
  static D* target(const storage* s) noexcept {
    if constexpr (in_place<D>) {
      return std::launder(reinterpret_cast<D*>(const_cast<storage*>(s)));
    } else {
      return *std::launder(reinterpret_cast<D* const*>(s));
    }
  }

  template <class D>
  static constexpr ops ops_for = {
      [](const storage* s) -> std::unique_ptr<receiver> { return (*target<D>(s))(); },
      [](const storage* from, storage* to) {
        if constexpr (in_place<D>) {
          ::new (static_cast<void*>(to)) D(*target<D>(from));
        } else {
          ::new (static_cast<void*>(to)) D*(new D(*target<D>(from)));
        }
      },
      [](storage* from, storage* to) noexcept {
        if constexpr (in_place<D>) {
          D* d = target<D>(from);
          ::new (static_cast<void*>(to)) D(std::move(*d));
          d->~D();
        } else {
          ::new (static_cast<void*>(to)) D*(target<D>(from));
        }
      },
      [](storage* s) noexcept {
        if constexpr (in_place<D>) {
          target<D>(s)->~D();
        } else {
          delete target<D>(s);
        }
      },
  };

  void reset() noexcept {
    if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(&storage_);
  }

  // `mutable`: a call may run a callable whose operator() is not const, as std::function does.
  mutable storage storage_;
  const ops* ops_ = nullptr;
};

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
