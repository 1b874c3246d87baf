// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace hollywood::actor::detail {

/// What a PID points at. Local sends switch on this tag instead of making a virtual call.
enum class target_kind : std::uint8_t {
  /// A local actor (the library's process type).
  process,
  /// A one-shot responder of a request.
  responder,
  /// A mailbox read by non-actor code (the engine root, for example).
  mailbox,
  /// An address/ID pair not bound to a local object: remote actors, or local IDs resolved
  /// through the registry at send time.
  named,
};

/// Identity and lifetime of everything a PID can name: intrusively reference counted, immutable
/// identity (address and ID), and for processes a scheduling bit packed with the count.
///
/// No vtable: the last release dispatches on `kind()` (8 bytes less per actor, and the tail padding
/// after `kind_` holds the process's own small fields).
///
/// `ctl_` holds `2 * references + scheduled`. Keeping the "scheduled" bit in the same word means a
/// queued or running process is kept alive by its scheduling state without a second atomic per
/// message; only processes use bit 0.
/// @threadsafe
class pid_target {
 public:
  pid_target(const pid_target&) = delete;
  pid_target& operator=(const pid_target&) = delete;

  void add_ref() noexcept { ctl_.fetch_add(2, std::memory_order_relaxed); }

  void release() noexcept {
    // acq_rel: the last owner must see every write made through other references before it
    // destroys (pairs with the release half of the other owners' decrements).
    if (ctl_.fetch_sub(2, std::memory_order_acq_rel) == 2) destroy();
  }

  [[nodiscard]] target_kind kind() const noexcept { return kind_; }
  [[nodiscard]] std::string_view address() const noexcept { return *address_; }
  [[nodiscard]] std::string_view id() const noexcept { return id_; }
  [[nodiscard]] const std::string* interned_address() const noexcept { return address_; }

 protected:
  pid_target(target_kind kind, const std::string* address, std::string&& id) noexcept
      : address_(address), id_(std::move(id)), kind_(kind) {}
  ~pid_target() = default;
  /// Deletes this object as its most derived type; called when the last reference (and the
  /// scheduled bit) is gone.
  void destroy() noexcept;

  std::atomic<std::uint64_t> ctl_{2};
  const std::string* address_;  // interned: equal addresses share one pointer, never freed
  std::string id_;
  target_kind kind_;
};

/// Returns a stable pointer to an interned copy of `address`. @threadsafe
const std::string* intern_address(std::string_view address);

}  // namespace hollywood::actor::detail
