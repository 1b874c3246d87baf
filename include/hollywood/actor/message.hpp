// SPDX-License-Identifier: MIT
#pragma once

/// A type-erased, move-only message value with small-buffer storage.
///
///   message m{ping{42}};              // stored inline: no allocation
///   if (auto* p = m.get_if<ping>()) use(p->seq);
///   m.is<pong>();                     // false; one pointer comparison
///
/// Values up to `message_inline_size` bytes (alignment up to 8, nothrow-movable) live inside the
/// message; larger ones are heap-allocated once. Type tests compare a per-type descriptor address,
/// so there is no RTTI and no string compare on the hot path. Trivially copyable inline values are
/// moved with a fixed-size copy instead of an indirect call.

#include <hollywood/actor/detail/type_name.hpp>
#include <hollywood/assert.hpp>

#include <cstddef>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hollywood::actor {

/// Bytes of payload a message stores without allocating.
inline constexpr std::size_t message_inline_size = 40;

class message;

namespace detail {

/// Per-type operations of a message payload; its address is the type's identity.
struct message_vtable {
  /// Move-constructs the payload at `dst` from `src` and destroys `src` (null: bitwise copy).
  void (*relocate)(void* dst, void* src) noexcept;
  /// Destroys the payload (null: trivially destructible).
  void (*destroy)(void* payload) noexcept;
  /// Copy-constructs the payload at `dst` (null: the type is not copyable).
  void (*copy)(void* dst, const void* src);
  /// The payload type's name, for diagnostics.
  std::string_view name;
  /// Whether the payload is stored on the heap (the buffer holds a pointer).
  bool heap;
};

template <class T>
inline constexpr bool stored_inline =
    sizeof(T) <= message_inline_size &&
    alignof(T) <= alignof(std::max_align_t) / 2 && std::is_nothrow_move_constructible_v<T>;

template <class T>
struct vtable_of {
  static constexpr bool trivial =
      stored_inline<T> && std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>;

  static void relocate(void* dst, void* src) noexcept {
    if constexpr (stored_inline<T>) {
      T* s = std::launder(static_cast<T*>(src));
      ::new (dst) T(std::move(*s));
      s->~T();
    } else {
      *static_cast<T**>(dst) = *static_cast<T**>(src);
    }
  }
  static void destroy(void* payload) noexcept {
    if constexpr (stored_inline<T>) {
      std::launder(static_cast<T*>(payload))->~T();
    } else {
      delete *static_cast<T**>(payload);
    }
  }
  static void copy(void* dst, const void* src) {
    if constexpr (stored_inline<T>) {
      ::new (dst) T(*std::launder(static_cast<const T*>(src)));
    } else {
      *static_cast<T**>(dst) = new T(**static_cast<T* const*>(src));
    }
  }

  using copy_fn = void (*)(void*, const void*);
  static constexpr copy_fn copier() noexcept {
    if constexpr (std::is_copy_constructible_v<T>) {
      return &copy;
    } else {
      return nullptr;  // never instantiate `copy` for move-only types
    }
  }

  // Trivial inline payloads and heap pointers move with a plain copy of the buffer.
  static constexpr message_vtable value{trivial || !stored_inline<T> ? nullptr : &relocate,
                                        trivial ? nullptr : &destroy, copier(), type_name<T>(),
                                        !stored_inline<T>};
};

}  // namespace detail

/// See the file comment. Not thread-safe: a message is owned by one thread at a time (it moves
/// through inboxes by value).
class message {
 public:
  // -- constructors ------------------------------------------------------------

  /// An empty message (`empty()` is true).
  message() noexcept = default;

  /// Stores `value`. Allocates only when the decayed type does not fit inline.
  template <class T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, message>) explicit message(T&& value) {
    using U = std::remove_cvref_t<T>;
    static_assert(std::is_move_constructible_v<U>, "messages must be movable");
    if constexpr (detail::stored_inline<U>) {
      ::new (buffer_) U(std::forward<T>(value));
    } else {
      *reinterpret_cast<U**>(buffer_) = new U(std::forward<T>(value));
    }
    vtable_ = &detail::vtable_of<U>::value;
  }

  message(message&& other) noexcept { take(other); }
  message& operator=(message&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  message(const message&) = delete;
  message& operator=(const message&) = delete;
  ~message() { reset(); }

  // -- observers ---------------------------------------------------------------

  /// Returns whether the message holds no value.
  [[nodiscard]] bool empty() const noexcept { return vtable_ == nullptr; }

  /// Returns whether the message holds a `T` (exactly; no conversions).
  template <class T>
  [[nodiscard]] bool is() const noexcept {
    return vtable_ == &detail::vtable_of<std::remove_cvref_t<T>>::value;
  }

  /// Returns a pointer to the held `T`, or null if it holds something else.
  template <class T>
  [[nodiscard]] T* get_if() noexcept {
    return is<T>() ? payload<T>() : nullptr;
  }
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept {
    return is<T>() ? const_cast<message*>(this)->payload<T>() : nullptr;
  }

  /// Returns the held `T`. @pre `is<T>()`.
  template <class T>
  [[nodiscard]] T& get() noexcept {
    HOLLYWOOD_ASSERT(is<T>());
    return *payload<T>();
  }
  template <class T>
  [[nodiscard]] const T& get() const noexcept {
    HOLLYWOOD_ASSERT(is<T>());
    return *const_cast<message*>(this)->payload<T>();
  }

  /// Returns the identity of the held type (null when empty): equal for two messages exactly when
  /// they hold the same type. Serialisation layers key their codecs by it.
  [[nodiscard]] const void* type_id() const noexcept { return vtable_; }

  /// Returns the identity `type_id()` has for a message holding a `T`.
  template <class T>
  [[nodiscard]] static const void* type_id_of() noexcept {
    return &detail::vtable_of<std::remove_cvref_t<T>>::value;
  }

  /// Returns the held type's name ("" when empty), for diagnostics.
  [[nodiscard]] std::string_view type_name() const noexcept {
    return vtable_ != nullptr ? vtable_->name : std::string_view{};
  }

  /// Returns whether `copy()` can duplicate the value.
  [[nodiscard]] bool copyable() const noexcept {
    return vtable_ == nullptr || vtable_->copy != nullptr;
  }

  /// Returns a copy, or an empty message if the held type is not copyable.
  [[nodiscard]] message copy() const {
    message out;
    if (vtable_ != nullptr && vtable_->copy != nullptr) {
      vtable_->copy(out.buffer_, buffer_);
      out.vtable_ = vtable_;
    }
    return out;
  }

  /// Calls the first handler whose parameter type the message holds; returns whether one did.
  ///   msg.match([](const ping& p) { ... }, [](pong& p) { ... });
  template <class... Handlers>
  bool match(Handlers&&... handlers) {
    return (try_handler(handlers) || ...);
  }

  /// Destroys the held value; the message becomes empty.
  void reset() noexcept {
    if (vtable_ != nullptr) {
      if (vtable_->destroy != nullptr) vtable_->destroy(buffer_);
      vtable_ = nullptr;
    }
  }

 private:
  template <class T>
  T* payload() noexcept {
    using U = std::remove_cvref_t<T>;
    if constexpr (detail::stored_inline<U>) {
      return std::launder(reinterpret_cast<U*>(buffer_));
    } else {
      return *reinterpret_cast<U**>(buffer_);
    }
  }

  template <class F>
  bool try_handler(F& f) {
    return try_handler_impl(f, &F::operator());
  }
  template <class F, class R, class C, class A>
  bool try_handler_impl(F& f, R (C::*)(A) const) {
    return call_if<std::remove_cvref_t<A>>(f);
  }
  template <class F, class R, class C, class A>
  bool try_handler_impl(F& f, R (C::*)(A)) {
    return call_if<std::remove_cvref_t<A>>(f);
  }
  template <class A, class F>
  bool call_if(F& f) {
    if (auto* v = get_if<A>()) {
      f(*v);
      return true;
    }
    return false;
  }

  void take(message& other) noexcept {
    vtable_ = other.vtable_;
    if (vtable_ == nullptr) return;
    if (vtable_->relocate != nullptr) {
      vtable_->relocate(buffer_, other.buffer_);
    } else {
      std::memcpy(buffer_, other.buffer_, sizeof(buffer_));
    }
    other.vtable_ = nullptr;
  }

  const detail::message_vtable* vtable_ = nullptr;
  alignas(alignof(std::max_align_t) / 2) unsigned char buffer_[message_inline_size];
};

}  // namespace hollywood::actor
