// SPDX-License-Identifier: MIT
#include "registry.hpp"

#include "process.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hollywood::actor::detail {

namespace {
constexpr std::size_t npos = static_cast<std::size_t>(-1);
constexpr std::size_t min_capacity = 16;
// x86-64 and AArch64 user-space pointers fit in 48 bits (Linux hands out higher addresses only
// to an mmap that asks for them); processes come from the process heap, aligned to 64.
constexpr unsigned address_bits = 48;
constexpr unsigned aligned_low_bits = 4;
constexpr std::uintptr_t low_mask = (std::uintptr_t{1} << aligned_low_bits) - 1;
}  // namespace

static_assert(sizeof(std::uintptr_t) == 8, "the registry packs hash bits into 64-bit pointers");
static_assert(alignof(std::max_align_t) >= 16);

registry::slot registry::slot::make(process* p, std::uint64_t hash) noexcept {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  if ((addr >> address_bits) != 0 || (addr & low_mask) != 0) [[unlikely]] {
    // Not a build or input problem a caller could handle: the platform broke the assumption.
    std::fputs("hollywood: a process address has no room for the registry's hash bits\n", stderr);
    std::abort();
  }
  const std::uint64_t tag = hash & ((std::uint64_t{1} << tag_bits) - 1);
  return slot{addr | (tag & low_mask) | ((tag >> aligned_low_bits) << address_bits)};
}

process* registry::slot::get() const noexcept {
  const std::uintptr_t addr = bits & ((std::uintptr_t{1} << address_bits) - 1) & ~low_mask;
  return reinterpret_cast<process*>(addr);
}

std::uint64_t registry::slot::tag() const noexcept {
  return (bits & low_mask) | ((bits >> address_bits) << aligned_low_bits);
}

namespace {

constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ull;

/// A full avalanche: every output bit depends on every input bit.
std::uint64_t avalanche(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

/// Eight bytes per step (IDs are mostly 10-40 bytes), then an avalanche.
std::uint64_t hash_bytes(std::string_view s) noexcept {
  std::uint64_t h = s.size() * golden;
  auto mix_in = [&h](std::uint64_t word) {
    h = (h ^ word) * golden;
    h ^= h >> 29;
  };
  const char* p = s.data();
  std::size_t left = s.size();
  for (; left >= 8; p += 8, left -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    mix_in(word);
  }
  if (left != 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, left);
    mix_in(word);
  }
  return avalanche(h);
}

}  // namespace

registry::placement registry::locate(std::string_view id) noexcept {
  const std::uint64_t hash = hash_bytes(id);
  return placement{hash, static_cast<std::size_t>(hash >> (64 - 6))};
}

std::size_t registry::shard::home_of(slot s, std::size_t mask) const noexcept {
  if (mask < (std::size_t{1} << tag_bits)) return s.tag() & mask;
  return locate(s.get()->id()).hash() & mask;  // past a million slots in one shard
}

registry::shard::probe_result registry::shard::probe(std::string_view id,
                                                     std::uint64_t hash) const {
  if (slots.empty()) return {npos, false};
  const std::size_t mask = slots.size() - 1;
  const std::uint64_t tag = hash & ((std::uint64_t{1} << tag_bits) - 1);
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const slot s = slots[i];
    if (s.empty()) return {i, false};
    if (s.tag() == tag && s.get()->id() == id) return {i, true};
  }
}

std::size_t registry::shard::find_index(std::string_view id, std::uint64_t hash) const {
  const probe_result r = probe(id, hash);
  return r.found ? r.index : npos;
}

bool registry::shard::full() const noexcept {
  return slots.empty() || (used + 1) * 4 > slots.size() * 3;
}

std::size_t registry::shard::find_index(const process* p, std::uint64_t hash) const noexcept {
  if (slots.empty()) return npos;
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const slot s = slots[i];
    if (s.empty()) return npos;
    if (s.get() == p) return i;
  }
}

void registry::shard::insert_new(process* p, std::uint64_t hash) {
  if (full()) resize(slots.empty() ? min_capacity : slots.size() * 2);
  const std::size_t mask = slots.size() - 1;
  std::size_t i = hash & mask;
  while (!slots[i].empty())
    i = (i + 1) & mask;
  slots[i] = slot::make(p, hash);
  ++used;
}

void registry::shard::erase_at(std::size_t index) noexcept {
  // Backward-shift deletion: move later members of the probe run into the hole, so lookups never
  // need tombstones.
  const std::size_t mask = slots.size() - 1;
  std::size_t hole = index;
  for (std::size_t i = (index + 1) & mask; !slots[i].empty(); i = (i + 1) & mask) {
    const std::size_t home = home_of(slots[i], mask);
    // Move it if its home is not in the (cyclic) range (hole, i].
    const bool between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!between) {
      slots[hole] = slots[i];
      hole = i;
    }
  }
  slots[hole] = slot{};
  --used;
  if (slots.size() > min_capacity && used * 8 < slots.size()) resize(slots.size() / 2);
}

void registry::shard::resize(std::size_t capacity) {
  std::vector<slot> old(capacity);
  old.swap(slots);
  hint_table.store(slots.data(), std::memory_order_relaxed);
  hint_mask.store(capacity - 1, std::memory_order_relaxed);
  const std::size_t mask = capacity - 1;
  for (const slot s : old) {
    if (s.empty()) continue;
    std::size_t i = home_of(s, mask);
    while (!slots[i].empty())
      i = (i + 1) & mask;
    slots[i] = s;
  }
}

registry::~registry() {
  numbers_->release_all();
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const slot e : s.slots) {
      if (!e.empty()) e.get()->release();
    }
    s.slots.clear();
    s.used = 0;
  }
}

registry::placement registry::prepare(std::string_view id) const noexcept {
  const placement where = locate(id);
  const shard& s = shards_[where.shard()];
  if (const slot* table = s.hint_table.load(std::memory_order_relaxed)) {
    __builtin_prefetch(table + (where.hash() & s.hint_mask.load(std::memory_order_relaxed)));
  }
  return where;
}

pid registry::insert(process* p, placement where) {
  const std::uint64_t hash = where.hash();
  shard& s = shards_[where.shard()];
  std::lock_guard lock(s.mu);
  const shard::probe_result r = s.probe(p->id(), hash);
  if (r.found) return pid(s.slots[r.index].get());
  // Grow first: a reservation below must not be left behind by a failed allocation.
  const bool grow = s.full();
  if (grow) s.resize(s.slots.empty() ? min_capacity : s.slots.size() * 2);
  // An ID the engine could have made: an engine actor may hold it, and otherwise the engine must
  // never hand its number out under it. Under this shard's lock, so that two users naming the
  // same ID see each other.
  if (const auto number = number_table::number_of(p->id())) {
    number_table::claim_result claimed = numbers_->claim(*number, p->id());
    if (claimed.existing) return std::move(claimed.existing);
    if (claimed.reserved) where.bits |= placement::reserved_number;
  }
  if (grow) {
    s.insert_new(p, hash);  // has room now
  } else {
    // The probe ended at the slot a fresh probe from the entry's home would stop at.
    s.slots[r.index] = slot::make(p, hash);
    ++s.used;
  }
  p->set_registry_key(where.bits);  // the reference `p` was born with for the registry is ours now
  return {};
}

bool registry::insert_numbered(process* p, number_table::run& r, std::uint64_t number) noexcept {
  const std::uint64_t key = numbers_->publish(r, number, p);
  if (key == 0) return false;
  p->set_registry_key(key);
  return true;
}

void registry::remove(process* p) noexcept {
  const std::uint64_t key = p->registry_key();
  if (number_table::owns(key)) {
    if (numbers_->remove(p, key)) p->release();
    return;
  }
  const placement where(key);
  shard& s = shards_[where.shard()];
  {
    std::lock_guard lock(s.mu);
    const std::size_t i = s.find_index(p, where.hash());
    if (i == npos) return;
    s.erase_at(i);
  }
  if ((key & placement::reserved_number) != 0) {
    if (const auto number = number_table::number_of(p->id())) numbers_->unreserve(*number);
  }
  p->release();
}

pid registry::find(std::string_view id) const {
  if (const auto number = number_table::number_of(id)) {
    if (pid p = numbers_->find(*number, id)) return p;
  }
  const placement where = locate(id);
  const std::uint64_t hash = where.hash();
  shard& s = shards_[where.shard()];
  std::lock_guard lock(s.mu);
  const std::size_t i = s.find_index(id, hash);
  return i != npos ? pid(s.slots[i].get()) : pid{};
}

void registry::for_each(const std::function<void(process&)>& fn) const {
  // Only processes are registered.
  numbers_->for_each([&fn](pid_target& t) { fn(static_cast<process&>(t)); });
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const slot e : s.slots) {
      if (!e.empty()) fn(*e.get());
    }
  }
}

std::size_t registry::size() const {
  std::size_t n = numbers_->size();
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.used;
  }
  return n;
}

}  // namespace hollywood::actor::detail
