// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <utility>

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
///
/// An ID is either text, or a number the engine gave with its kind and parent ("kind/N", or
/// "parent-id/kind/N"), written out the first time something asks for it. Most actors are never
/// asked, and building the text cost a spawn about a fifth of its instructions.
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
  [[nodiscard]] std::string_view id() const noexcept {
    return numbered_ ? numbered_text() : std::string_view(text_);
  }
  /// Whether `id() == id`, without writing out a numbered ID.
  [[nodiscard]] bool has_id(std::string_view id) const noexcept;
  /// Whether `id() == other.id()`, without writing out a numbered ID.
  [[nodiscard]] bool same_id(const pid_target& other) const noexcept;
  /// A hash of `id()`, equal for equal IDs, without writing out a numbered ID.
  [[nodiscard]] std::size_t id_hash() const noexcept;
  /// Whether `id()` has its text already: always for a given ID, after the first `id()` for a
  /// numbered one.
  [[nodiscard]] bool id_written_out() const noexcept {
    return !numbered_ || lazy_.text.load(std::memory_order_acquire) != nullptr;
  }
  [[nodiscard]] const std::string* interned_address() const noexcept { return address_; }

 protected:
  /// A numbered ID's parts. `kind` is interned (it outlives any engine); `parent` (null for a
  /// top-level actor) must stay alive as long as this target does.
  struct numbered_id {
    std::uint64_t number;
    const std::string* kind;
    const pid_target* parent;
  };

  pid_target(target_kind kind, const std::string* address, std::string&& id) noexcept
      : address_(address), text_(std::move(id)), kind_(kind) {}
  /// Numbered by `id` when `text` is empty.
  pid_target(target_kind kind, const std::string* address, std::string&& text,
             numbered_id id) noexcept
      : address_(address), kind_(kind), numbered_(text.empty()) {
    if (numbered_) {
      new (&lazy_) lazy_text{id, {nullptr}};
    } else {
      new (&text_) std::string(std::move(text));
    }
  }
  ~pid_target() {
    if (!numbered_) {
      text_.~basic_string();
      return;
    }
    // Acquire: pairs with the release in numbered_text() (the text's contents are freed here).
    delete lazy_.text.load(std::memory_order_acquire);
  }
  /// Deletes this object as its most derived type; called when the last reference (and the
  /// scheduled bit) is gone.
  void destroy() noexcept;
  /// Gives a numbered target another number. @pre nobody else can see it yet.
  void renumber(std::uint64_t number) noexcept { lazy_.id.number = number; }

  struct lazy_text {
    numbered_id id;
    /// The ID written out, once asked for; null until then.
    mutable std::atomic<std::string*> text;
  };

  std::atomic<std::uint64_t> ctl_{2};
  const std::string* address_;  // interned: equal addresses share one pointer, never freed
  // The same 32 bytes either way: a numbered ID is no larger than the text it stands for.
  union {
    std::string text_;
    lazy_text lazy_;
  };
  target_kind kind_;
  const bool numbered_ = false;

 private:
  [[nodiscard]] std::string_view numbered_text() const noexcept;
  /// The ID's text when it exists (given, or written out already), else an empty view.
  [[nodiscard]] std::string_view text_if_any() const noexcept;
  /// Writes the ID into `out` without keeping it; returns its length, or 0 if it does not fit.
  std::size_t copy_id(char* out, std::size_t capacity) const noexcept;
};

/// Returns a stable pointer to an interned copy of `text` (an address or a kind): never freed, so
/// a PID can print its ID and address after its engine is gone. @threadsafe
const std::string* intern(std::string_view text);

}  // namespace hollywood::actor::detail
