// SPDX-License-Identifier: MIT
#include "slab_heap.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

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

namespace hollywood::actor::detail {

namespace {

constexpr std::size_t page_bytes = 4096;
constexpr std::size_t pages_per_span = slab_heap::span_bytes / page_bytes;
// Spans are cut from reservations of this size: address space only until a page is touched.
constexpr std::size_t reservation_bytes = std::size_t{64} << 20;
constexpr std::size_t magazine_slots = 32;
constexpr std::size_t batch = magazine_slots / 2;

static_assert(slab_heap::span_bytes % page_bytes == 0 && pages_per_span <= 64,
              "`released` is one word");

// Heaps by index, for the thread-exit closer. Release in the constructor pairs with the acquire
// loads that read a heap through it.
std::array<std::atomic<slab_heap*>, slab_heap::max_heaps> all_heaps{};
// Bit i: heap i started a span that nobody faulted in ahead. Relaxed: a hint; the populate itself
// takes the heap's mutex.
std::atomic<std::uint32_t> populate_requests{0};

/// A thread's free slots of one heap, newest last. Trivially destructible, so that it stays
/// usable while the thread exits; the closer empties them at the thread's exit.
struct magazine {
  std::array<void*, magazine_slots> slots;
  std::size_t count;
};

/// This thread's magazines, one per heap index, and whether its closer is registered (`opened`)
/// or already ran (`closed`: later frees and allocations go straight to the shared state).
struct thread_magazines {
  std::array<magazine, slab_heap::max_heaps> of;
  bool opened;
  bool closed;
};
thread_local constinit thread_magazines tl_magazines{};

struct magazine_closer {
  magazine_closer() = default;
  magazine_closer(const magazine_closer&) = delete;
  magazine_closer& operator=(const magazine_closer&) = delete;
  ~magazine_closer() {
    for (auto& h : all_heaps) {
      if (slab_heap* heap = h.load(std::memory_order_acquire)) heap->close_magazine();
    }
    tl_magazines.opened = false;
    tl_magazines.closed = true;
  }
};
thread_local magazine_closer tl_closer;

/// Registers the closer with the thread's exit (its first use does), before a magazine first
/// holds a slot: a thread that only frees must give its slots back too.
void open_magazines() noexcept {
  [[maybe_unused]] magazine_closer& c = tl_closer;
  tl_magazines.opened = true;
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

}  // namespace

/// At the start of every span, followed by its free bitmap (bit i: slot i is free). Guarded by
/// the heap's mutex.
struct slab_heap::span_header {
  std::uint64_t released = 0;  // bit p: page p holds no faulted-in memory (new or given back)
  std::uint32_t free_count = 0;
  std::uint32_t scan_from = 0;  // no bitmap word before this one has a free bit
  bool listed = false;          // in `partial_`
};

slab_heap::slab_heap(std::size_t slot_bytes, unsigned index) noexcept
    : slot_bytes_(slot_bytes),
      index_(index),
      slots_per_span_(span_bytes / slot_bytes),
      bitmap_words_((slots_per_span_ + 63) / 64),
      first_slot_((sizeof(span_header) + bitmap_words_ * sizeof(std::uint64_t) + slot_bytes - 1) /
                  slot_bytes),
      // A spawner in a burst goes through a process span (1365 slots) in ~300 us, about as long
      // as faulting one in takes on a VM: with one span ahead it sometimes caught up and faulted
      // pages itself. A span of smaller slots lasts many times longer.
      spans_ahead_(slots_per_span_ < 4096 ? 2 : 1) {
  slab_heap* expected = nullptr;
  if (slot_bytes % 16 != 0 || slot_bytes < 16 || slot_bytes > page_bytes || index >= max_heaps ||
      !all_heaps[index].compare_exchange_strong(expected, this, std::memory_order_release,
                                                std::memory_order_relaxed)) {
    // A programming error in the library, not something a caller could handle.
    std::fputs("hollywood: invalid or duplicate slab heap\n", stderr);
    std::abort();
  }
}

// -- slots and pages ----------------------------------------------------------------------

slab_heap::span_header* slab_heap::span_of(const void* slot) const noexcept {
  return reinterpret_cast<span_header*>(reinterpret_cast<std::uintptr_t>(slot) & ~(span_bytes - 1));
}

std::uint64_t* slab_heap::bitmap(span_header* s) const noexcept {
  return reinterpret_cast<std::uint64_t*>(s + 1);
}

std::size_t slab_heap::index_of(const span_header* s, const void* slot) const noexcept {
  return static_cast<std::size_t>(static_cast<const char*>(slot) -
                                  reinterpret_cast<const char*>(s)) /
         slot_bytes_;
}

std::uint64_t slab_heap::pages_of(std::size_t i, std::size_t count) const noexcept {
  const std::size_t first = i * slot_bytes_ / page_bytes;
  const std::size_t last = ((i + count) * slot_bytes_ - 1) / page_bytes;
  return ((std::uint64_t{2} << last) - 1) & ~((std::uint64_t{1} << first) - 1);
}

std::size_t slab_heap::header_pages() const noexcept {
  return (first_slot_ * slot_bytes_ + page_bytes - 1) / page_bytes;
}

bool slab_heap::all_free(span_header* s, std::size_t page) const noexcept {
  // A word of the bitmap at a time: the heap's lock is held, and a page of 16-byte slots has 256.
  const std::uint64_t* free = bitmap(s);
  const std::size_t first = std::max(page * page_bytes / slot_bytes_, first_slot_);
  const std::size_t last =
      std::min(((page + 1) * page_bytes - 1) / slot_bytes_, slots_per_span_ - 1);
  for (std::size_t w = first / 64; w <= last / 64; ++w) {
    const std::size_t lo = w == first / 64 ? first % 64 : 0;
    const std::size_t hi = w == last / 64 ? last % 64 : 63;
    const std::uint64_t wanted = (hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{2} << hi) - 1) &
                                 ~((std::uint64_t{1} << lo) - 1);
    if ((free[w] & wanted) != wanted) return false;
  }
  return true;
}

void slab_heap::poison(void* slot) const noexcept {
#if defined(HOLLYWOOD_HEAP_ASAN)
  ASAN_POISON_MEMORY_REGION(slot, slot_bytes_);
#else
  (void)slot;
#endif
}

void slab_heap::unpoison(void* slot, std::size_t used) const noexcept {
#if defined(HOLLYWOOD_HEAP_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(slot, used);
#else
  (void)slot;
  (void)used;
#endif
}

void slab_heap::check_not_free(void* slot) const noexcept {
#if defined(HOLLYWOOD_HEAP_ASAN)
  // A slot in use has its first byte unpoisoned; a free one is poisoned whole. Without this, a
  // slot freed twice would sit in a magazine twice and be handed to two owners unreported.
  if (__asan_address_is_poisoned(slot) != 0) {
    std::fputs("hollywood: a slab slot was freed twice (or was never allocated)\n", stderr);
    std::abort();
  }
#else
  (void)slot;
#endif
}

// -- the shared state ---------------------------------------------------------------------

std::size_t slab_heap::take(void** out, std::size_t n) noexcept {
  std::lock_guard lock(mu_);
  last_take_ = std::chrono::steady_clock::now();  // once per 16 slots in a burst: ~1 ns a slot
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

void slab_heap::put(void* const* slots, std::size_t n) noexcept {
  std::lock_guard lock(mu_);
  for (std::size_t k = 0; k < n; ++k) {
    span_header* s = span_of(slots[k]);
    const std::size_t i = index_of(s, slots[k]);
    bitmap(s)[i / 64] |= std::uint64_t{1} << (i % 64);
    s->scan_from = std::min(s->scan_from, static_cast<std::uint32_t>(i / 64));
    if (s->free_count++ == 0 && s != current_ && !s->listed) {
      s->listed = true;
      partial_.push_back(s);
    }
  }
  live_ -= n;
}

std::size_t slab_heap::take_from(span_header& s, void** out, std::size_t n) noexcept {
  // By runs of neighbouring free slots: a fresh span is one run, so a refill in a burst of spawns
  // is a few bit operations and a store per slot.
  std::uint64_t* free = bitmap(&s);
  char* const base = reinterpret_cast<char*>(&s);
  std::size_t got = 0;
  std::size_t w = s.scan_from;
  for (; w < bitmap_words_ && got < n; ++w) {
    while (free[w] != 0 && got < n) {
      const auto low = static_cast<unsigned>(std::countr_zero(free[w]));
      const auto run = static_cast<unsigned>(std::countr_one(free[w] >> low));
      const auto k = static_cast<unsigned>(std::min<std::size_t>(run, n - got));
      free[w] &= ~((k == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1) << low);
      const std::size_t first = w * 64 + low;
      s.released &= ~pages_of(first, k);
      for (std::size_t i = first; i < first + k; ++i)
        out[got++] = base + i * slot_bytes_;
    }
    if (got == n) break;  // word w may have more
  }
  s.scan_from = static_cast<std::uint32_t>(std::min(w, bitmap_words_ - 1));
  s.free_count -= static_cast<std::uint32_t>(got);
  return got;
}

bool slab_heap::next_current() noexcept {
  // A span with freed slots (their pages are in), else one faulted in ahead, else a new one; ask
  // for the next span ahead when the ready ones ran out.
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
  if (ready_.size() < spans_ahead_ && !populating_) {
    populate_requests.fetch_or(std::uint32_t{1} << index_, std::memory_order_relaxed);
  }
  return true;
}

void* slab_heap::reserve_span() noexcept {
  if (next_ == end_) {
    // Over-reserve by a span to align; the slack stays reserved and untouched.
    void* r = ::mmap(nullptr, reservation_bytes + span_bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) return nullptr;
    const auto base = reinterpret_cast<std::uintptr_t>(r);
    next_ = (base + span_bytes - 1) & ~(span_bytes - 1);
    end_ = next_ + reservation_bytes;
  }
  void* at = reinterpret_cast<void*>(next_);
  next_ += span_bytes;
  return at;
}

slab_heap::span_header* slab_heap::format_span(void* at) const noexcept {
  if (at == nullptr) return nullptr;
  auto* s = new (at) span_header{};
  // Whole words at a time (a 16-byte heap's span has 16384 slots): the lock may be held meanwhile.
  std::uint64_t* free = bitmap(s);
  std::fill(free, free + bitmap_words_, ~std::uint64_t{0});
  if (const std::size_t tail = slots_per_span_ % 64; tail != 0) {
    free[bitmap_words_ - 1] = (std::uint64_t{1} << tail) - 1;
  }
  for (std::size_t i = 0; i < first_slot_; ++i)
    free[i / 64] &= ~(std::uint64_t{1} << (i % 64));
  s->scan_from = static_cast<std::uint32_t>(first_slot_ / 64);
  s->free_count = static_cast<std::uint32_t>(slots_per_span_ - first_slot_);
  // Every page but those the header and bitmap were just written to is untouched.
  s->released = ~std::uint64_t{0} << header_pages();
  for (std::size_t i = first_slot_; i < slots_per_span_; ++i)
    poison(reinterpret_cast<char*>(s) + i * slot_bytes_);
  return s;
}

std::size_t slab_heap::give_back(span_header& s) noexcept {
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
  for (std::size_t p = header_pages(); p < pages_per_span; ++p) {  // the header's pages stay
    if ((s.released >> p) & 1U || !all_free(&s, p)) {
      flush();
      continue;
    }
    if (run_pages == 0) run_start = p;
    ++run_pages;
  }
  flush();
  return bytes;
}

// -- the public operations ----------------------------------------------------------------

void* slab_heap::allocate(std::size_t used) {
  thread_magazines& t = tl_magazines;
  magazine& m = t.of[index_];
  if (m.count != 0) [[likely]] {
    void* slot = m.slots[--m.count];
    unpoison(slot, used);
    return slot;
  }
  return refill_and_allocate(used);
}

void* slab_heap::refill_and_allocate(std::size_t used) {
  thread_magazines& t = tl_magazines;
  magazine& m = t.of[index_];
  void* got[batch];
  const std::size_t n = take(got, t.closed ? 1 : batch);
  if (n == 0) throw std::bad_alloc();
  if (!t.opened && !t.closed) open_magazines();
  // Hand out the lowest slot, keep the rest with the next lowest on top: consecutive allocations
  // get consecutive slots.
  for (std::size_t k = n - 1; k > 0; --k)
    m.slots[m.count++] = got[k];
  unpoison(got[0], used);
  return got[0];
}

void slab_heap::deallocate(void* slot) noexcept {
  if (slot == nullptr) return;
  check_not_free(slot);
  poison(slot);
  thread_magazines& t = tl_magazines;
  if (!t.opened) [[unlikely]] {
    if (t.closed) {
      put(&slot, 1);
      return;
    }
    open_magazines();
  }
  magazine& m = t.of[index_];
  if (m.count == magazine_slots) [[unlikely]] {
    // Spill the oldest half: the newest are the likeliest still in this core's cache.
    put(m.slots.data(), batch);
    std::memmove(m.slots.data(), m.slots.data() + batch, (magazine_slots - batch) * sizeof(void*));
    m.count -= batch;
  }
  m.slots[m.count++] = slot;
}

void slab_heap::close_magazine() noexcept {
  magazine& m = tl_magazines.of[index_];
  put(m.slots.data(), m.count);
  m.count = 0;
}

bool slab_heap::populate_wanted() noexcept {
  const std::uint32_t bit = std::uint32_t{1} << index_;
  return (populate_requests.fetch_and(~bit, std::memory_order_relaxed) & bit) != 0;
}

void slab_heap::populate_ahead(std::chrono::nanoseconds idle_after) noexcept {
  for (;;) {
    void* at = nullptr;
    {
      std::lock_guard lock(mu_);
      if (populating_ || ready_.size() >= spans_ahead_) return;
      // The timer thread that serves requests runs up to milliseconds late while a burst keeps
      // both cores busy, so lateness says nothing; a heap nobody refilled from lately does.
      if (std::chrono::steady_clock::now() - last_take_ > idle_after) return;
      at = reserve_span();
      if (at == nullptr) return;
      populating_ = true;
    }
    // Outside the lock: writing the header faults its first page in, which takes microseconds
    // on a VM, and spawners would wait for it.
    span_header* s = format_span(at);
    // After the header's pages, which format_span wrote.
    const std::size_t skip = header_pages() * page_bytes;
    fault_in(reinterpret_cast<char*>(s) + skip, span_bytes - skip);
    std::lock_guard lock(mu_);
    s->released = 0;
    ready_.push_back(s);
    spans_.push_back(s);
    populating_ = false;
    ++populated_;
  }
}

std::size_t slab_heap::give_back_free_pages() noexcept {
  close_magazine();
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

heap_stats slab_heap::stats() noexcept {
  std::lock_guard lock(mu_);
  return heap_stats{spans_.size(), live_, ready_.size(), populated_, released_};
}

std::uint32_t slab_heap::take_populate_requests() noexcept {
  if (populate_requests.load(std::memory_order_relaxed) == 0) return 0;
  return populate_requests.exchange(0, std::memory_order_relaxed);
}

void slab_heap::populate_ahead(std::uint32_t heaps) noexcept {
  for (unsigned i = 0; i < max_heaps; ++i) {
    if ((heaps >> i) & 1U) {
      if (slab_heap* h = all_heaps[i].load(std::memory_order_acquire)) h->populate_ahead();
    }
  }
}

std::size_t slab_heap::give_back_all_free_pages() noexcept {
  std::size_t bytes = 0;
  for (auto& h : all_heaps) {
    if (slab_heap* heap = h.load(std::memory_order_acquire)) bytes += heap->give_back_free_pages();
  }
  return bytes;
}

}  // namespace hollywood::actor::detail
