// SPDX-License-Identifier: MIT
#include <hollywood/remote/type_registry.hpp>

#include <bit>
#include <cstdint>

namespace hollywood::remote {

/// An open-addressing table of type -> codec, built once and never changed.
struct type_registry::table {
  struct slot {
    const void* type = nullptr;
    const codec* c = nullptr;
  };
  std::vector<slot> slots;  // size: a power of two, at most half full

  static std::size_t hash(const void* p) noexcept {
    // Type IDs are addresses of distinct objects: mix the bits that differ.
    return static_cast<std::size_t>((reinterpret_cast<std::uintptr_t>(p) >> 3) *
                                    0x9E3779B97F4A7C15ull);
  }

  explicit table(const std::vector<std::shared_ptr<const codec>>& codecs)
      : slots(std::bit_ceil(codecs.size() * 2 + 2)) {
    const std::size_t mask = slots.size() - 1;
    for (const auto& c : codecs) {
      for (std::size_t i = hash(c->type_id()) & mask;; i = (i + 1) & mask) {
        if (slots[i].type == nullptr) {
          slots[i] = slot{c->type_id(), c.get()};
          break;
        }
      }
    }
  }

  [[nodiscard]] const codec* find(const void* type) const noexcept {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash(type) & mask;; i = (i + 1) & mask) {
      if (slots[i].type == type) return slots[i].c;
      if (slots[i].type == nullptr) return nullptr;
    }
  }
};

type_registry::type_registry() = default;
type_registry::~type_registry() = default;

expected<void> type_registry::add(std::shared_ptr<const codec> c) {
  if (!c || c->name().empty() || c->type_id() == nullptr) {
    return unexpected(errc::invalid_argument);
  }
  std::lock_guard lock(mu_);
  const codec* named = nullptr;
  if (auto it = by_name_.find(c->name()); it != by_name_.end()) named = it->second;
  const table* current = by_type_.load(std::memory_order_relaxed);  // writers hold mu_
  const codec* typed = current != nullptr ? current->find(c->type_id()) : nullptr;
  if (named != nullptr || typed != nullptr) {
    // The same type under the same name again: harmless. Anything else is a conflict.
    return named == typed ? expected<void>{} : unexpected(errc::invalid_argument);
  }
  codecs_.push_back(std::move(c));
  const codec* added = codecs_.back().get();
  by_name_.emplace(added->name(), added);
  tables_.push_back(std::make_unique<const table>(codecs_));
  by_type_.store(tables_.back().get(), std::memory_order_release);  // partner: by_type()
  return {};
}

const codec* type_registry::by_type(const void* type_id) const noexcept {
  const table* t = by_type_.load(std::memory_order_acquire);  // partner: add()
  return t != nullptr ? t->find(type_id) : nullptr;
}

const codec* type_registry::by_name(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name);
  return it != by_name_.end() ? it->second : nullptr;
}

}  // namespace hollywood::remote
