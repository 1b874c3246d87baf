// SPDX-License-Identifier: MIT
#include "process_heap.hpp"

#include <hollywood/thread_annotations.hpp>

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define HOLLYWOOD_HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOLLYWOOD_HEAP_ASAN 1
#endif
#endif
#if defined(HOLLYWOOD_HEAP_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace hollywood::actor::detail::process_heap {

namespace {

constexpr std::size_t page_bytes = 4096;
constexpr std::size_t pages_per_span = span_bytes / page_bytes;
constexpr std::size_t slots_per_span = span_bytes / slot_bytes;  // the last 64 bytes are unused
constexpr std::size_t bitmap_words = (slots_per_span + 63) / 64;
// Spans are cut from reservations of this size: address space only until a page is touched.
constexpr std::size_t reservation_bytes = std::size_t{64} << 20;
constexpr std::size_t magazine_slots = 32;
constexpr std::size_t batch = magazine_slots / 2;

static_assert(slot_bytes % 64 == 0, "slots are whole cache lines");
static_assert(span_bytes % page_bytes == 0 && pages_per_span <= 64, "`released` is one word");

/// At the start of every span, in its slot 0. Guarded by the shared state's mutex.
struct span_header {
  std::array<std::uint64_t, bitmap_words> free{};  // bit i: slot i is free
  std::uint64_t released = 0;  // bit p: page p holds no faulted-in memory (new or given back)
  std::uint32_t free_count = 0;
  bool listed = false;  // in `partial_`
};
static_assert(sizeof(span_header) <= slot_bytes);
constexpr std::size_t first_slot = 1;
constexpr std::size_t usable_slots = slots_per_span - first_slot;

span_header* span_of(void* slot) noexcept {
  return reinterpret_cast<span_header*>(reinterpret_cast<std::uintptr_t>(slot) & ~(span_bytes - 1));
}

std::size_t index_of(const span_header* s, const void* slot) noexcept {
  return static_cast<std::size_t>(static_cast<const char*>(slot) -
                                  reinterpret_cast<const char*>(s)) /
         slot_bytes;
}

/// The pages slot `i` overlaps, as `released` bits.
std::uint64_t pages_of(std::size_t i) noexcept {
  const std::size_t first = i * slot_bytes / page_bytes;
  const std::size_t last = (i * slot_bytes + slot_bytes - 1) / page_bytes;
  return ((std::uint64_t{2} << last) - 1) & ~((std::uint64_t{1} << first) - 1);
}

void poison(void* slot) noexcept {
#if defined(HOLLYWOOD_HEAP_ASAN)
  ASAN_POISON_MEMORY_REGION(slot, slot_bytes);
#else
  (void)slot;
#endif
}

void unpoison(void* slot) noexcept {
#if defined(HOLLYWOOD_HEAP_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(slot, slot_bytes);
#else
  (void)slot;
#endif
}

/// Faults in `bytes` of fresh (zero) memory: MADV_POPULATE_WRITE (Linux 5.14) does it in one
/// call; older kernels get a write per page. Not instrumented: the slots are poisoned already, and
/// writing a zero to a zero page changes nothing a slot's user could see.
#if defined(HOLLYWOOD_HEAP_ASAN)
__attribute__((no_sanitize("address")))
#endif
void fault_in(char* start, std::size_t bytes) noexcept {
#if defined(MADV_POPULATE_WRITE)
  if (::madvise(start, bytes, MADV_POPULATE_WRITE) == 0) return;
#endif
  for (std::size_t off = 0; off < bytes; off += page_bytes)
    static_cast<volatile char*>(start)[off] = 0;
}

class shared_state {
 public:
  /// Moves up to `n` free slots into `out`; returns how many (0: the OS refused memory).
  std::size_t take(void** out, std::size_t n) noexcept {
    std::lock_guard lock(mu_);
    std::size_t got = 0;
    while (got < n) {
      if (current_ == nullptr || current_->free_count == 0) {
        if (!next_current()) break;
      }
      got += take_from(*current_, out + got, n - got);
    }
    live_ += got;
    return got;
  }

  void put(void* const* slots, std::size_t n) noexcept {
    std::lock_guard lock(mu_);
    for (std::size_t k = 0; k < n; ++k) {
      span_header* s = span_of(slots[k]);
      const std::size_t i = index_of(s, slots[k]);
      s->free[i / 64] |= std::uint64_t{1} << (i % 64);
      if (s->free_count++ == 0 && s != current_ && !s->listed) {
        s->listed = true;
        partial_.push_back(s);
      }
    }
    live_ -= n;
  }

  bool populate_wanted() noexcept {
    // Relaxed: a hint; the populate itself takes the mutex.
    return wanted_.load(std::memory_order_relaxed) &&
           wanted_.exchange(false, std::memory_order_relaxed);
  }

  void populate_ahead() noexcept {
    span_header* s = nullptr;
    {
      std::lock_guard lock(mu_);
      if (populating_ || !ready_.empty()) return;
      s = make_span();
      if (s == nullptr) return;
      populating_ = true;
    }
    fault_in(reinterpret_cast<char*>(s) + page_bytes, span_bytes - page_bytes);  // after the header
    std::lock_guard lock(mu_);
    s->released = 0;
    ready_.push_back(s);
    spans_.push_back(s);
    populating_ = false;
    ++populated_;
  }

  std::size_t give_back() noexcept {
    std::lock_guard lock(mu_);
    std::size_t bytes = 0;
    for (span_header* s : spans_)
      bytes += give_back(*s);
    // Spans kept ready are all free: their pages just went back, so they are ready no more.
    for (span_header* s : ready_) {
      s->listed = true;
      partial_.push_back(s);
    }
    ready_.clear();
    released_ += bytes;
    return bytes;
  }

  heap_stats stats() noexcept {
    std::lock_guard lock(mu_);
    return heap_stats{spans_.size(), live_, ready_.size(), populated_, released_};
  }

 private:
  std::size_t take_from(span_header& s, void** out, std::size_t n) noexcept {
    std::size_t got = 0;
    for (std::size_t w = 0; w < bitmap_words && got < n; ++w) {
      while (s.free[w] != 0 && got < n) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(s.free[w]));
        s.free[w] &= s.free[w] - 1;
        s.released &= ~pages_of(i);
        out[got++] = reinterpret_cast<char*>(&s) + i * slot_bytes;
      }
    }
    s.free_count -= static_cast<std::uint32_t>(got);
    return got;
  }

  /// Picks the span to carve next: one with freed slots (their pages are in), else one faulted
  /// in ahead, else a new one; asks for the next span ahead when the ready ones ran out.
  bool next_current() noexcept {  // mu_ held
    while (!partial_.empty()) {
      span_header* s = partial_.back();
      partial_.pop_back();
      s->listed = false;
      if (s->free_count != 0) {
        current_ = s;
        return true;
      }
    }
    if (!ready_.empty()) {
      current_ = ready_.back();
      ready_.pop_back();
    } else {
      current_ = make_span();
      if (current_ == nullptr) return false;
      spans_.push_back(current_);
    }
    if (ready_.empty() && !populating_) wanted_.store(true, std::memory_order_relaxed);
    return true;
  }

  span_header* make_span() noexcept {  // mu_ held
    if (next_ == end_) {
      // Over-reserve by a span to align; the slack stays reserved and untouched.
      void* r = ::mmap(nullptr, reservation_bytes + span_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (r == MAP_FAILED) return nullptr;
      const auto base = reinterpret_cast<std::uintptr_t>(r);
      next_ = (base + span_bytes - 1) & ~(span_bytes - 1);
      end_ = next_ + reservation_bytes;
    }
    auto* s = new (reinterpret_cast<void*>(next_)) span_header{};
    next_ += span_bytes;
    for (std::size_t i = first_slot; i < slots_per_span; ++i)
      s->free[i / 64] |= std::uint64_t{1} << (i % 64);
    s->free_count = usable_slots;
    s->released = ~std::uint64_t{0} << 1;  // all but the header's page are untouched
    for (std::size_t i = first_slot; i < slots_per_span; ++i)
      poison(reinterpret_cast<char*>(s) + i * slot_bytes);
    return s;
  }

  /// Gives back the pages of `s` whose slots are all free.
  std::size_t give_back(span_header& s) noexcept {  // mu_ held
    std::size_t bytes = 0;
    std::size_t run_start = 0;
    std::size_t run_pages = 0;
    auto flush = [&] {
      if (run_pages == 0) return;
      char* start = reinterpret_cast<char*>(&s) + run_start * page_bytes;
      if (::madvise(start, run_pages * page_bytes, MADV_DONTNEED) == 0) {
        bytes += run_pages * page_bytes;
        for (std::size_t p = run_start; p < run_start + run_pages; ++p)
          s.released |= std::uint64_t{1} << p;
      }
      run_pages = 0;
    };
    for (std::size_t p = 1; p < pages_per_span; ++p) {  // page 0 holds the header
      if ((s.released >> p) & 1U || !all_free(s, p)) {
        flush();
        continue;
      }
      if (run_pages == 0) run_start = p;
      ++run_pages;
    }
    flush();
    return bytes;
  }

  static bool all_free(const span_header& s, std::size_t page) noexcept {
    const std::size_t first = page * page_bytes / slot_bytes;
    const std::size_t last =
        std::min(((page + 1) * page_bytes - 1) / slot_bytes, slots_per_span - 1);
    for (std::size_t i = std::max(first, first_slot); i <= last; ++i) {
      if (((s.free[i / 64] >> (i % 64)) & 1U) == 0) return false;
    }
    return true;
  }

  std::mutex mu_;
  span_header* current_ HOLLYWOOD_GUARDED_BY(mu_) = nullptr;
  std::vector<span_header*> partial_ HOLLYWOOD_GUARDED_BY(mu_);  // have free slots (or had)
  std::vector<span_header*> ready_ HOLLYWOOD_GUARDED_BY(mu_);    // faulted in, all free
  std::vector<span_header*> spans_ HOLLYWOOD_GUARDED_BY(mu_);    // all but the one populating
  std::uintptr_t next_ HOLLYWOOD_GUARDED_BY(mu_) = 0;  // the current reservation's unused part
  std::uintptr_t end_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  bool populating_ HOLLYWOOD_GUARDED_BY(mu_) = false;
  std::size_t live_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::uint64_t populated_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::uint64_t released_ HOLLYWOOD_GUARDED_BY(mu_) = 0;
  std::atomic<bool> wanted_{false};
};

shared_state& shared() noexcept {
  // Never destroyed: a process may be freed during static destruction, after any order.
  static shared_state* state = new shared_state;
  return *state;
}

/// A thread's free slots, newest last. Trivially destructible, so that it stays usable while the
/// thread exits; `closer` empties and closes it at the thread's exit.
struct magazine {
  std::array<void*, magazine_slots> slots;
  std::size_t count;
  bool opened;  // the closer is registered with the thread's exit
  bool closed;
};
thread_local constinit magazine tl_magazine{};

void close_magazine() noexcept {
  magazine& m = tl_magazine;
  shared().put(m.slots.data(), m.count);
  m.count = 0;
}

struct magazine_closer {
  magazine_closer() = default;
  magazine_closer(const magazine_closer&) = delete;
  magazine_closer& operator=(const magazine_closer&) = delete;
  ~magazine_closer() {
    close_magazine();
    // Frees and allocations from later thread-exit code go straight to the shared state.
    tl_magazine.opened = false;
    tl_magazine.closed = true;
  }
};
thread_local magazine_closer tl_closer;

/// Registers the closer with the thread's exit (its first use does), before the magazine first
/// holds a slot: a thread that only frees must give its slots back too.
void open_magazine(magazine& m) noexcept {
  [[maybe_unused]] magazine_closer& c = tl_closer;
  m.opened = true;
}

}  // namespace

void* allocate() {
  magazine& m = tl_magazine;
  if (m.count != 0) [[likely]] {
    void* slot = m.slots[--m.count];
    unpoison(slot);
    return slot;
  }
  void* got[batch];
  const std::size_t n = shared().take(got, m.closed ? 1 : batch);
  if (n == 0) throw std::bad_alloc();
  if (!m.opened && !m.closed) open_magazine(m);
  // Hand out the lowest slot, keep the rest with the next lowest on top: consecutive spawns get
  // consecutive slots.
  for (std::size_t k = n - 1; k > 0; --k)
    m.slots[m.count++] = got[k];
  unpoison(got[0]);
  return got[0];
}

void deallocate(void* slot) noexcept {
  if (slot == nullptr) return;
  poison(slot);
  magazine& m = tl_magazine;
  if (!m.opened) [[unlikely]] {
    if (m.closed) {
      shared().put(&slot, 1);
      return;
    }
    open_magazine(m);
  }
  if (m.count == magazine_slots) [[unlikely]] {
    // Spill the oldest half: the newest are the likeliest still in this core's cache.
    shared().put(m.slots.data(), batch);
    std::memmove(m.slots.data(), m.slots.data() + batch, (magazine_slots - batch) * sizeof(void*));
    m.count -= batch;
  }
  m.slots[m.count++] = slot;
}

bool populate_wanted() noexcept {
  return shared().populate_wanted();
}

void populate_ahead() noexcept {
  shared().populate_ahead();
}

std::size_t give_back_free_pages() noexcept {
  close_magazine();
  return shared().give_back();
}

heap_stats stats() noexcept {
  return shared().stats();
}

}  // namespace hollywood::actor::detail::process_heap
