// SPDX-License-Identifier: MIT
#pragma once

/// A PID names an actor (or a responder, or a mailbox): an address and an ID.
///
///   pid p = engine.spawn(make_producer<worker>(), "worker");
///   p.address();   // "local", or the engine's remote address
///   p.id();        // "worker/1"
///   fmt::print("{}", p.to_string());   // "local/worker/1"
///
/// A PID obtained from the engine caches a counted pointer to its target, so a send goes straight
/// to the inbox without a registry lookup; a PID made from strings (`pid{address, id}`) is resolved
/// at send time. Equality compares address and ID, so both kinds of PID for one actor are equal.
/// Copying a PID is one relaxed atomic increment; pass them by const reference on hot paths.

#include <hollywood/actor/detail/pid_target.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace hollywood::actor {

/// See the file comment. A `pid` value is not synchronised, like `std::shared_ptr`: distinct
/// copies may be used from different threads freely.
class pid {
 public:
  // -- constructors ------------------------------------------------------------

  /// The empty PID: sending to it is a no-op.
  pid() noexcept = default;

  /// A PID for `id` at `address`, resolved when something is sent to it. An empty `address`
  /// or `id` gives the empty PID.
  pid(std::string_view address, std::string_view id);

  /// Adopts a counted reference to `target` (library use).
  explicit pid(detail::pid_target* target, bool add_ref = true) noexcept : target_(target) {
    if (target_ != nullptr && add_ref) target_->add_ref();
  }

  pid(const pid& other) noexcept : target_(other.target_) {
    if (target_ != nullptr) target_->add_ref();
  }
  pid(pid&& other) noexcept : target_(std::exchange(other.target_, nullptr)) {}
  pid& operator=(const pid& other) noexcept {
    pid(other).swap(*this);
    return *this;
  }
  pid& operator=(pid&& other) noexcept {
    pid(std::move(other)).swap(*this);
    return *this;
  }
  ~pid() {
    if (target_ != nullptr) target_->release();
  }

  // -- observers ---------------------------------------------------------------

  /// Returns whether this PID names something.
  explicit operator bool() const noexcept { return target_ != nullptr; }

  /// Returns the address part ("" for the empty PID).
  [[nodiscard]] std::string_view address() const noexcept {
    return target_ != nullptr ? target_->address() : std::string_view{};
  }

  /// Returns the ID part ("" for the empty PID).
  [[nodiscard]] std::string_view id() const noexcept {
    return target_ != nullptr ? target_->id() : std::string_view{};
  }

  /// Returns "address/id" ("" for the empty PID).
  [[nodiscard]] std::string to_string() const;

  /// Returns the target (library use).
  [[nodiscard]] detail::pid_target* target() const noexcept { return target_; }

  void swap(pid& other) noexcept { std::swap(target_, other.target_); }

  friend bool operator==(const pid& a, const pid& b) noexcept {
    if (a.target_ == b.target_) return true;
    if (a.target_ == nullptr || b.target_ == nullptr) return false;
    return a.target_->interned_address() == b.target_->interned_address() &&
           a.target_->same_id(*b.target_);
  }

 private:
  detail::pid_target* target_ = nullptr;
};

}  // namespace hollywood::actor

template <>
struct std::hash<hollywood::actor::pid> {
  std::size_t operator()(const hollywood::actor::pid& p) const noexcept {
    if (!p) return std::hash<std::string_view>{}(std::string_view{});
    const std::size_t h = p.target()->id_hash();
    return h ^ (std::hash<std::string_view>{}(p.address()) * 31);
  }
};
