// SPDX-License-Identifier: MIT
#include "number_table.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace hollywood::actor::detail {

namespace {

// A slot holds 0, a target pointer (even: targets are at least 8-byte aligned), or a reservation:
// (users reserving the number << 1) | 1.
constexpr std::uintptr_t reservation_bit = 1;
constexpr std::uintptr_t one_reservation = 2;

// What an open run adds to its page's references: more than a page's slots can ever hold, so the
// page stays while the run may still publish. Closing the run takes it back, less what the run
// published (those references are the actors', dropped one by one as they leave).
constexpr std::int64_t open_run = std::int64_t{1} << 32;

// A published actor's registry key: the flag, its page's address, and its slot. Pages are 64-byte
// aligned and user-space addresses fit in 48 bits, so the address shifted by 2 leaves 8 bits free.
constexpr unsigned page_shift = 2;
constexpr std::uint64_t index_mask = 0xff;
static_assert(number_table::page_numbers - 1 == index_mask);

pid_target* target_in(std::uintptr_t slot) noexcept {
  return slot == 0 || (slot & reservation_bit) != 0 ? nullptr : reinterpret_cast<pid_target*>(slot);
}

}  // namespace

struct alignas(cache_line_size) number_table::page {
  explicit page(std::uint64_t first_number) noexcept : first(first_number) {}

  const std::uint64_t first;  // its first number
  /// Published actors, reservations and an open run (see `open_run`). Guarded by the lock of the
  /// directory shard the page is in.
  std::int64_t refs = 0;
  /// Written by the run's thread (publish, by compare-and-swap), and under the shard's lock by
  /// everyone else.
  std::array<std::atomic<std::uintptr_t>, page_numbers> slots{};
};

static_assert(alignof(number_table::page) == 64);

std::optional<std::uint64_t> number_table::number_of(std::string_view id) noexcept {
  std::size_t digits = 0;
  while (digits < id.size() && id[id.size() - 1 - digits] >= '0' &&
         id[id.size() - 1 - digits] <= '9')
    ++digits;
  if (digits == 0 || digits == id.size() || id[id.size() - 1 - digits] != '/') return std::nullopt;
  const char* first = id.data() + id.size() - digits;
  if (digits > 1 && *first == '0') return std::nullopt;  // the engine writes no leading zeros
  std::uint64_t n = 0;
  if (std::from_chars(first, id.data() + id.size(), n).ec != std::errc{}) return std::nullopt;
  return n;
}

number_table::~number_table() {
  for (shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [index, pg] : s.pages)
      delete pg;
    s.pages.clear();
  }
}

number_table::page* number_table::page_at(shard& s, std::uint64_t page_index) {
  auto [it, fresh] = s.pages.try_emplace(page_index, nullptr);
  if (!fresh) return it->second;
  try {
    it->second = new page(page_index * page_numbers);
  } catch (...) {
    s.pages.erase(it);
    throw;
  }
  page* pg = it->second;
  const auto first = s.pageless.lower_bound(pg->first);
  auto last = first;
  for (; last != s.pageless.end() && last->first - pg->first < page_numbers; ++last) {
    const std::uint64_t users = last->second;
    pg->slots[last->first - pg->first].store((users * one_reservation) | reservation_bit,
                                             std::memory_order_relaxed);  // nobody publishes yet
    pg->refs += static_cast<std::int64_t>(users);
  }
  s.pageless.erase(first, last);
  return pg;
}

void number_table::unref(shard& s, page* pg, std::int64_t count) noexcept {
  pg->refs -= count;
  if (pg->refs != 0) return;
  s.pages.erase(pg->first / page_numbers);
  delete pg;
}

std::uint64_t number_table::take(run& r, std::atomic<std::uint64_t>& runs) {
  if (r.next_ != r.end_) [[likely]]
    return r.next_++;
  r.close();
  const std::uint64_t index = runs.fetch_add(1, std::memory_order_relaxed);  // uniqueness only
  shard& s = shard_of(index);
  {
    std::lock_guard lock(s.mu);
    r.page_ = page_at(s, index);  // users may have reserved some of its numbers already
    r.page_->refs += open_run;
  }
  r.table_ = shared_from_this();
  r.next_ = index == 0 ? 1 : index * page_numbers;
  r.end_ = (index + 1) * page_numbers;
  r.published_ = 0;
  return r.next_++;
}

void number_table::run::close() noexcept {
  if (page_ != nullptr) table_->close(*this);
  table_.reset();
}

void number_table::close(run& r) noexcept {
  shard& s = shard_of(r.page_->first / page_numbers);
  {
    std::lock_guard lock(s.mu);
    unref(s, r.page_, open_run - r.published_);
  }
  r.page_ = nullptr;
  r.next_ = r.end_ = 0;
}

std::uint64_t number_table::publish(run& r, std::uint64_t number, pid_target* p) noexcept {
  const std::uint64_t index = number - r.page_->first;
  std::uintptr_t empty = 0;
  // Release: a lookup's acquire load of the slot (find, claim, for_each) sees the target built.
  // Fails only on a reservation, which publishes nothing.
  if (!r.page_->slots[index].compare_exchange_strong(empty, reinterpret_cast<std::uintptr_t>(p),
                                                     std::memory_order_release,
                                                     std::memory_order_relaxed)) {
    return 0;
  }
  ++r.published_;
  const auto address = reinterpret_cast<std::uint64_t>(r.page_);
  if ((address >> 48) != 0) [[unlikely]] {
    std::fputs("hollywood: a page address has no room for the registry key's flag\n", stderr);
    std::abort();
  }
  return key_flag | (address << page_shift) | index;
}

bool number_table::remove(pid_target* p, std::uint64_t key) noexcept {
  auto* pg = reinterpret_cast<page*>((key & ~key_flag & ~index_mask) >> page_shift);
  std::atomic<std::uintptr_t>& slot = pg->slots[key & index_mask];
  shard& s = shard_of(pg->first / page_numbers);
  std::lock_guard lock(s.mu);
  if (slot.load(std::memory_order_relaxed) != reinterpret_cast<std::uintptr_t>(p)) return false;
  slot.store(0, std::memory_order_relaxed);  // readers hold the lock; the publisher is done
  unref(s, pg, 1);
  return true;
}

pid number_table::find(std::uint64_t number, std::string_view id) const {
  const std::uint64_t index = number / page_numbers;
  shard& s = shard_of(index);
  std::lock_guard lock(s.mu);
  const auto it = s.pages.find(index);
  if (it == s.pages.end()) return {};
  // Acquire: pairs with publish's release. The lock keeps the target registered (and alive).
  pid_target* p =
      target_in(it->second->slots[number % page_numbers].load(std::memory_order_acquire));
  return p != nullptr && p->has_id(id) ? pid(p) : pid{};
}

number_table::claim_result number_table::claim(std::uint64_t number, std::string_view id) {
  const std::uint64_t index = number / page_numbers;
  shard& s = shard_of(index);
  std::lock_guard lock(s.mu);
  const auto it = s.pages.find(index);
  if (it == s.pages.end()) {
    // No run has this number and no engine actor holds it: the run that reaches it will find the
    // reservation here when it makes its page.
    ++s.pageless[number];
    return {{}, true};
  }
  page* pg = it->second;
  std::atomic<std::uintptr_t>& slot = pg->slots[number % page_numbers];
  // Acquire: pairs with publish's release (the target's ID is read).
  std::uintptr_t seen = slot.load(std::memory_order_acquire);
  for (;;) {
    if (pid_target* p = target_in(seen)) {
      // The engine handed this number out already, and never will again.
      return {p->has_id(id) ? pid(p) : pid{}, false};
    }
    const std::uintptr_t reserved =
        seen == 0 ? (one_reservation | reservation_bit) : seen + one_reservation;
    // A reservation publishes nothing; acquire is for a failure that finds a target (its ID is
    // read). Success is no weaker than failure: a stronger failure order is ill-formed before
    // C++17.
    if (slot.compare_exchange_weak(seen, reserved, std::memory_order_acquire,
                                   std::memory_order_acquire)) {
      break;
    }
  }
  ++pg->refs;
  return {{}, true};
}

void number_table::unreserve(std::uint64_t number) noexcept {
  const std::uint64_t index = number / page_numbers;
  shard& s = shard_of(index);
  std::lock_guard lock(s.mu);
  const auto it = s.pages.find(index);
  if (it == s.pages.end()) {
    if (const auto waiting = s.pageless.find(number); waiting != s.pageless.end()) {
      if (--waiting->second == 0) s.pageless.erase(waiting);
    }
    return;
  }
  std::atomic<std::uintptr_t>& slot = it->second->slots[number % page_numbers];
  // A reserved slot changes only under this lock: publish fails on it.
  const std::uintptr_t seen = slot.load(std::memory_order_relaxed);
  if ((seen & reservation_bit) == 0) return;
  const std::uintptr_t left = seen - one_reservation;
  slot.store(left == reservation_bit ? 0 : left, std::memory_order_relaxed);
  unref(s, it->second, 1);
}

void number_table::for_each(const std::function<void(pid_target&)>& fn) const {
  for (shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [index, pg] : s.pages) {
      for (const auto& slot : pg->slots) {
        if (pid_target* p = target_in(slot.load(std::memory_order_acquire))) fn(*p);
      }
    }
  }
}

std::size_t number_table::size() const {
  std::size_t n = 0;
  for_each([&n](pid_target&) { ++n; });
  return n;
}

std::size_t number_table::pages() const {
  std::size_t n = 0;
  for (shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.pages.size();
  }
  return n;
}

void number_table::release_all() noexcept {
  for (shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [index, pg] : s.pages) {
      for (auto& slot : pg->slots) {
        if (pid_target* p = target_in(slot.load(std::memory_order_acquire))) {
          slot.store(0, std::memory_order_relaxed);
          p->release();
        }
      }
    }
  }
}

}  // namespace hollywood::actor::detail
