// SPDX-License-Identifier: MIT
#include "registry.hpp"

#include "process.hpp"

namespace hollywood::actor::detail {

registry::~registry() {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (auto& [id, p] : s.map)
      p->release();
    s.map.clear();
  }
}

registry::shard& registry::shard_for(std::string_view id) const noexcept {
  return shards_[std::hash<std::string_view>{}(id) % shard_count];
}

pid registry::insert(process* p) {
  shard& s = shard_for(p->id());
  std::lock_guard lock(s.mu);
  auto [it, inserted] = s.map.try_emplace(p->id(), p);
  if (!inserted) return pid(it->second);
  p->add_ref();
  return {};
}

void registry::remove(process* p) noexcept {
  shard& s = shard_for(p->id());
  {
    std::lock_guard lock(s.mu);
    auto it = s.map.find(p->id());
    if (it == s.map.end() || it->second != p) return;
    s.map.erase(it);
  }
  p->release();
}

pid registry::find(std::string_view id) const {
  shard& s = shard_for(id);
  std::lock_guard lock(s.mu);
  auto it = s.map.find(id);
  return it != s.map.end() ? pid(it->second) : pid{};
}

void registry::for_each(const std::function<void(process&)>& fn) const {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (auto& [id, p] : s.map)
      fn(*p);
  }
}

std::size_t registry::size() const {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

}  // namespace hollywood::actor::detail
