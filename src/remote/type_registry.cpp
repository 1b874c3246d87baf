// SPDX-License-Identifier: MIT
#include <hollywood/remote/type_registry.hpp>

#include <mutex>

namespace hollywood::remote {

expected<void> type_registry::add(std::shared_ptr<const codec> c) {
  if (!c || c->name().empty() || c->type_id() == nullptr) {
    return unexpected(errc::invalid_argument);
  }
  std::unique_lock lock(mu_);
  const std::string name(c->name());
  auto by_name = by_name_.find(name);
  auto by_type = by_type_.find(c->type_id());
  if (by_name != by_name_.end() || by_type != by_type_.end()) {
    // The same type under the same name again: harmless. Anything else is a conflict.
    const bool same = by_name != by_name_.end() && by_type != by_type_.end() &&
                      by_name->second == by_type->second;
    return same ? expected<void>{} : unexpected(errc::invalid_argument);
  }
  by_name_.emplace(name, c);
  by_type_.emplace(c->type_id(), std::move(c));
  return {};
}

std::shared_ptr<const codec> type_registry::by_type(const void* type_id) const {
  std::shared_lock lock(mu_);
  auto it = by_type_.find(type_id);
  return it != by_type_.end() ? it->second : nullptr;
}

std::shared_ptr<const codec> type_registry::by_name(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find(std::string(name));
  return it != by_name_.end() ? it->second : nullptr;
}

}  // namespace hollywood::remote
