// SPDX-License-Identifier: MIT
#pragma once

/// A small `expected<T>` holding either a `T` or an `std::error_code`: the subset of C++23's
/// `std::expected<T, std::error_code>` this library needs, so it can become an alias later.
///
///   hollywood::expected<int> parse(std::string_view s);
///   if (auto v = parse("42")) use(*v); else log(v.error().message());

#include <hollywood/assert.hpp>
#include <hollywood/error.hpp>

#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

namespace hollywood {

/// Wraps an error for construction of an `expected`, like `std::unexpected`.
class unexpected {
 public:
  explicit unexpected(std::error_code ec) noexcept : error_(ec) {}
  template <class E>
  requires std::is_error_code_enum_v<E>
  explicit unexpected(E e) noexcept : error_(make_error_code(e)) {}
  [[nodiscard]] std::error_code error() const noexcept { return error_; }

 private:
  std::error_code error_;
};

/// Holds a `T` or an `std::error_code`. Accessing the wrong alternative is a precondition
/// violation (checked by HOLLYWOOD_ASSERT), never an exception.
template <class T>
class [[nodiscard]] expected {
 public:
  using value_type = T;

  // -- constructors ----------------------------------------------------------

  expected() requires std::is_default_constructible_v<T> : has_(true) { new (&value_) T(); }
  template <class U = T>
  requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, expected>)&&(
      !std::is_same_v<std::remove_cvref_t<U>, unexpected>)expected(U&& v)
      : has_(true) {  // NOLINT(google-explicit-constructor): mirrors std::expected
    new (&value_) T(std::forward<U>(v));
  }
  expected(unexpected u) noexcept : has_(false) { new (&error_) std::error_code(u.error()); }
  expected(const expected& other) requires std::is_copy_constructible_v<T> : has_(other.has_) {
    if (has_) {
      new (&value_) T(other.value_);
    } else {
      new (&error_) std::error_code(other.error_);
    }
  }
  expected(expected&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(other.has_) {
    if (has_) {
      new (&value_) T(std::move(other.value_));
    } else {
      new (&error_) std::error_code(other.error_);
    }
  }
  expected& operator=(expected&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      destroy();
      has_ = other.has_;
      if (has_) {
        new (&value_) T(std::move(other.value_));
      } else {
        new (&error_) std::error_code(other.error_);
      }
    }
    return *this;
  }
  expected& operator=(const expected& other) requires std::is_copy_constructible_v<T> {
    if (this != &other) *this = expected(other);
    return *this;
  }
  ~expected() { destroy(); }

  // -- observers -------------------------------------------------------------

  [[nodiscard]] bool has_value() const noexcept { return has_; }
  explicit operator bool() const noexcept { return has_; }

  /// Returns the value. @pre `has_value()`.
  [[nodiscard]] T& value() & noexcept {
    HOLLYWOOD_ASSERT(has_);
    return value_;
  }
  [[nodiscard]] const T& value() const& noexcept {
    HOLLYWOOD_ASSERT(has_);
    return value_;
  }
  [[nodiscard]] T&& value() && noexcept {
    HOLLYWOOD_ASSERT(has_);
    return std::move(value_);
  }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T&& operator*() && noexcept { return std::move(*this).value(); }
  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }

  /// Returns the error. @pre `!has_value()`.
  [[nodiscard]] std::error_code error() const noexcept {
    HOLLYWOOD_ASSERT(!has_);
    return error_;
  }

  /// Returns the value, or `fallback` when this holds an error.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_ ? value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void destroy() noexcept {
    if (has_) {
      value_.~T();
    } else {
      error_.~error_code();
    }
  }

  bool has_;
  union {
    T value_;
    std::error_code error_;
  };
};

/// `expected<void>`: success or an error code.
template <>
class [[nodiscard]] expected<void> {
 public:
  using value_type = void;
  expected() noexcept = default;
  expected(unexpected u) noexcept : error_(u.error()) {}
  [[nodiscard]] bool has_value() const noexcept { return !error_; }
  explicit operator bool() const noexcept { return !error_; }
  void value() const noexcept { HOLLYWOOD_ASSERT(!error_); }
  [[nodiscard]] std::error_code error() const noexcept { return error_; }

 private:
  std::error_code error_;
};

}  // namespace hollywood
