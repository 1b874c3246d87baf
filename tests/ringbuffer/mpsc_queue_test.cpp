// SPDX-License-Identifier: MIT
// Tests of mpsc_queue: ordering, storage release, closing, size, element lifetimes, where blocks
// go back to. The concurrent stress is covered by mpsc_queue_stress_test.cpp.

#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <utility>
#include <vector>

// -- allocation counting -------------------------------------------------------
// Replaces the global operator new/delete for the whole ringbuffer_tests binary so
// tests can check "does not allocate" claims. Counting only; storage still comes from malloc,
// which the sanitizers intercept. Declared for the other files of the binary in each of them.

namespace {

thread_local std::uint64_t allocations_on_this_thread = 0;

}  // namespace

void* operator new(std::size_t size) {
  ++allocations_on_this_thread;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

// The queue allocates its blocks with an explicit alignment: count those too.
void* operator new(std::size_t size, std::align_val_t alignment) {
  ++allocations_on_this_thread;
  const auto a = std::max(static_cast<std::size_t>(alignment), sizeof(void*));
  if (void* p = std::aligned_alloc(a, (std::max<std::size_t>(size, 1) + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace hollywood::test {

/// Returns how many times this thread called the global operator new (aligned or not).
std::uint64_t allocation_count() noexcept {
  return allocations_on_this_thread;
}

}  // namespace hollywood::test

namespace {

using hollywood::ringbuffer::mpsc_queue;
using hollywood::ringbuffer::push_result;
using hollywood::ringbuffer::queue_layout;

/// Counts constructions and destructions, so tests can prove every element is destroyed once.
struct counted {
  static inline std::size_t constructed = 0;
  static inline std::size_t destroyed = 0;

  static void reset() noexcept { constructed = destroyed = 0; }

  static std::size_t alive() noexcept { return constructed - destroyed; }

  explicit counted(int v) noexcept : value(v) { ++constructed; }

  counted(const counted& other) noexcept : value(other.value) { ++constructed; }

  counted(counted&& other) noexcept : value(other.value) { ++constructed; }

  counted& operator=(const counted&) noexcept = default;
  counted& operator=(counted&&) noexcept = default;

  ~counted() { ++destroyed; }

  int value = 0;
};

class mpsc_queue_lifetime : public ::testing::Test {
 protected:
  void SetUp() override { counted::reset(); }
};

/// Drains `q` with try_pop and returns the values in the order they came out.
template <class Queue>
std::vector<int> drain(Queue& q) {
  std::vector<int> out;
  int v = 0;
  while (q.try_pop(v))
    out.push_back(v);
  return out;
}

std::vector<int> iota(int first, int last) {
  std::vector<int> out;
  for (int i = first; i < last; ++i)
    out.push_back(i);
  return out;
}

// -- the same behaviour under every block size and layout ------------------------

template <class Queue>
class mpsc_queue_configs : public ::testing::Test {};

using configs = ::testing::Types<mpsc_queue<int>, mpsc_queue<int, 31, queue_layout::compact>,
                                 mpsc_queue<int, 2>, mpsc_queue<int, 3, queue_layout::compact>>;
TYPED_TEST_SUITE(mpsc_queue_configs, configs);

TYPED_TEST(mpsc_queue_configs, keep_fifo_order_across_many_blocks) {
  TypeParam q;
  const int n = static_cast<int>(TypeParam::block_slots) * 50 + 7;
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  EXPECT_EQ(q.size_approx(), static_cast<std::size_t>(n));
  EXPECT_EQ(drain(q), iota(0, n));
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(mpsc_queue_configs, keep_fifo_order_when_pushes_and_pops_interleave_across_blocks) {
  TypeParam q;
  int next_push = 0;
  int next_pop = 0;
  // Keep a small, varying backlog so the head crosses block boundaries in every phase.
  for (int round = 0; round < 500; ++round) {
    for (int k = 0; k < round % 5 + 1; ++k)
      ASSERT_EQ(q.try_emplace(next_push++), push_result::ok);
    for (int k = 0; k < round % 4 + 1; ++k) {
      int v = -1;
      if (!q.try_pop(v)) break;
      ASSERT_EQ(v, next_pop++);
    }
  }
  for (int v : drain(q))
    ASSERT_EQ(v, next_pop++);
  EXPECT_EQ(next_pop, next_push);
}

TYPED_TEST(mpsc_queue_configs, size_approx_is_exact_without_concurrency) {
  TypeParam q;
  const std::size_t n = TypeParam::block_slots * 3 + 1;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(q.size_approx(), i);
    ASSERT_EQ(q.try_emplace(static_cast<int>(i)), push_result::ok);
  }
  for (std::size_t i = n; i > 0; --i) {
    ASSERT_EQ(q.size_approx(), i);
    ASSERT_EQ(q.consume(1, [](int&) noexcept {}), 1u);
  }
  EXPECT_EQ(q.size_approx(), 0u);
  EXPECT_TRUE(q.release_storage());
  EXPECT_EQ(q.size_approx(), 0u);
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  EXPECT_EQ(q.size_approx(), 1u);
  q.close();
  EXPECT_EQ(q.size_approx(), 1u);
}

TYPED_TEST(mpsc_queue_configs, release_storage_works_at_every_offset_of_a_block) {
  TypeParam q;
  int next = 0;
  // Release after 0, 1, ..., 2 * block_slots elements so the head stops at every offset,
  // including exactly on a block boundary.
  for (std::size_t batch = 0; batch <= 2 * TypeParam::block_slots; ++batch) {
    const int first = next;
    for (std::size_t i = 0; i < batch; ++i)
      ASSERT_EQ(q.try_emplace(next++), push_result::ok);
    ASSERT_EQ(drain(q), iota(first, next));
    ASSERT_TRUE(q.release_storage());
    ASSERT_FALSE(q.holds_storage());
    ASSERT_TRUE(q.empty());
    ASSERT_EQ(q.size_approx(), 0u);
  }
}

// -- basics ------------------------------------------------------------------

TEST(mpsc_queue, starts_empty_without_storage) {
  mpsc_queue<int> q;
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.holds_storage());
  EXPECT_FALSE(q.closed());
  EXPECT_EQ(q.size_approx(), 0u);
}

TEST(mpsc_queue, first_push_allocates_the_first_block) {
  mpsc_queue<int> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  EXPECT_TRUE(q.holds_storage());
  EXPECT_FALSE(q.empty());
}

TEST(mpsc_queue, try_pop_returns_false_when_empty) {
  mpsc_queue<int> q;
  int v = 7;
  EXPECT_FALSE(q.try_pop(v));
  EXPECT_EQ(v, 7);
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  EXPECT_TRUE(q.try_pop(v));
  EXPECT_FALSE(q.try_pop(v));
  EXPECT_EQ(v, 1);
}

TEST(mpsc_queue, try_emplace_constructs_in_place_from_arguments) {
  mpsc_queue<std::pair<int, long>> q;
  ASSERT_EQ(q.try_emplace(3, 4L), push_result::ok);
  std::pair<int, long> out;
  ASSERT_TRUE(q.try_pop(out));
  EXPECT_EQ(out, std::make_pair(3, 4L));
}

TEST(mpsc_queue, try_push_copies_an_lvalue) {
  mpsc_queue<std::vector<int>> q;
  const std::vector<int> v{1, 2, 3};
  ASSERT_EQ(q.try_push(v), push_result::ok);
  EXPECT_EQ(v.size(), 3u);
  std::vector<int> out;
  ASSERT_TRUE(q.try_pop(out));
  EXPECT_EQ(out, v);
}

TEST(mpsc_queue, empty_tracks_pushes_and_pops) {
  mpsc_queue<int, 2> q;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
    ASSERT_FALSE(q.empty());
    int v = -1;
    ASSERT_TRUE(q.try_pop(v));
    ASSERT_TRUE(q.empty());
  }
}

TEST(mpsc_queue, padded_layout_separates_producer_and_consumer_words) {
  EXPECT_EQ(sizeof(mpsc_queue<int>), 2 * hollywood::false_sharing_range);
  EXPECT_LE((sizeof(mpsc_queue<int, 31, queue_layout::compact>)), 40u);
}

/// An envelope-sized element: ready flag + padding + 56 bytes = one 64-byte slot. Were a slot to
/// straddle two lines, two senders writing neighbouring slots would share one.
struct line_sized {
  std::uint64_t words[7];
};

/// Pushes three blocks' worth and returns where each element sits within its cache line,
/// leaving out the first `skip` (those of a short first block, which is not padded).
template <class Queue>
std::vector<std::uintptr_t> line_offsets(std::size_t skip) {
  Queue q;
  const std::size_t count = skip + 3 * Queue::block_slots;
  for (std::size_t i = 0; i < count; ++i)
    EXPECT_EQ(q.try_emplace(line_sized{{i}}), push_result::ok);
  std::vector<std::uintptr_t> offsets;
  std::size_t seen = 0;
  q.consume(count, [&](line_sized& v) noexcept {
    if (seen++ >= skip)
      offsets.push_back(reinterpret_cast<std::uintptr_t>(&v) % hollywood::cache_line_size);
  });
  EXPECT_EQ(seen, count);
  return offsets;
}

TEST(mpsc_queue, a_full_blocks_slots_of_one_line_each_start_on_line_boundaries) {
  // The element follows the 4-byte ready flag, padded to its own alignment, in every line.
  const std::uintptr_t expected = alignof(line_sized);
  // Every block full (FirstSlots defaults to BlockSlots), and the inbox's shape: a 3-slot first
  // block, then full ones.
  for (const std::uintptr_t o : line_offsets<mpsc_queue<line_sized, 7>>(0))
    EXPECT_EQ(o, expected);
  for (const std::uintptr_t o :
       line_offsets<mpsc_queue<line_sized, 7, queue_layout::compact, 3>>(3))
    EXPECT_EQ(o, expected);
}

// -- consume -----------------------------------------------------------------

TEST(mpsc_queue, consume_stops_at_max) {
  mpsc_queue<int, 4> q;
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  std::vector<int> seen;
  auto collect = [&seen](int& v) noexcept { seen.push_back(v); };
  EXPECT_EQ(q.consume(10, collect), 10u);
  EXPECT_EQ(seen, iota(0, 10));
  EXPECT_EQ(q.size_approx(), 90u);
  EXPECT_EQ(q.consume(1, collect), 1u);
  EXPECT_EQ(q.consume(89, collect), 89u);
  EXPECT_EQ(seen, iota(0, 100));
  EXPECT_EQ(q.consume(10, collect), 0u);
}

TEST(mpsc_queue, consume_may_stop_exactly_on_a_block_boundary) {
  mpsc_queue<int, 4> q;
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  std::vector<int> seen;
  auto collect = [&seen](int& v) noexcept { seen.push_back(v); };
  EXPECT_EQ(q.consume(4, collect), 4u);
  for (int i = 8; i < 12; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  EXPECT_EQ(q.consume(100, collect), 8u);
  EXPECT_EQ(seen, iota(0, 12));
}

TEST(mpsc_queue, consume_with_zero_max_touches_nothing) {
  mpsc_queue<int> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  bool called = false;
  EXPECT_EQ(q.consume(0, [&called](int&) noexcept { called = true; }), 0u);
  EXPECT_FALSE(called);
  EXPECT_EQ(q.size_approx(), 1u);
}

TEST(mpsc_queue, consume_returns_zero_on_an_empty_queue) {
  mpsc_queue<int> q;
  EXPECT_EQ(q.consume(16, [](int&) noexcept {}), 0u);
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  EXPECT_EQ(q.consume(16, [](int&) noexcept {}), 1u);
  EXPECT_EQ(q.consume(16, [](int&) noexcept {}), 0u);
}

TEST(mpsc_queue, consume_stops_after_the_callback_returns_false) {
  mpsc_queue<int> q;
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  std::vector<int> seen;
  // The element for which the callback says "stop" counts as consumed.
  EXPECT_EQ(q.consume(SIZE_MAX,
                      [&seen](int& v) noexcept {
                        seen.push_back(v);
                        return v != 3;
                      }),
            4u);
  EXPECT_EQ(seen, iota(0, 4));
  EXPECT_EQ(q.size_approx(), 6u);
  EXPECT_EQ(drain(q), iota(4, 10));
}

TEST(mpsc_queue, consume_may_stop_early_on_the_last_slot_of_a_block) {
  mpsc_queue<int, 4> q;
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  EXPECT_EQ(q.consume(SIZE_MAX, [](int& v) noexcept { return v != 3; }), 4u);
  EXPECT_EQ(drain(q), iota(4, 8));
  EXPECT_TRUE(q.release_storage());
}

TEST_F(mpsc_queue_lifetime, an_element_that_stops_the_batch_is_destroyed) {
  {
    mpsc_queue<counted, 3> q;
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(q.try_emplace(i), push_result::ok);
    ASSERT_EQ(q.consume(SIZE_MAX, [](counted& c) noexcept { return c.value != 1; }), 2u);
    EXPECT_EQ(counted::alive(), 3u);
  }
  EXPECT_EQ(counted::alive(), 0u);
}

// -- consumer position -----------------------------------------------------------

TEST(mpsc_queue, pushed_since_reports_pushes_after_the_consumer_position) {
  mpsc_queue<int, 4> q;
  std::uint64_t position = q.consumer_position();
  EXPECT_FALSE(q.pushed_since(position));
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  EXPECT_TRUE(q.pushed_since(position));
  (void)drain(q);
  position = q.consumer_position();
  EXPECT_FALSE(q.pushed_since(position));
  // Exactly on a block boundary: the consumer stands at the next block's first slot.
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  (void)drain(q);
  position = q.consumer_position();
  EXPECT_FALSE(q.pushed_since(position));
  ASSERT_EQ(q.try_emplace(9), push_result::ok);
  EXPECT_TRUE(q.pushed_since(position));
}

TEST(mpsc_queue, pushed_since_works_from_a_position_taken_after_release_storage) {
  mpsc_queue<int> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  (void)drain(q);
  ASSERT_TRUE(q.release_storage());
  const std::uint64_t position = q.consumer_position();
  EXPECT_FALSE(q.pushed_since(position));
  ASSERT_EQ(q.try_emplace(2), push_result::ok);
  EXPECT_TRUE(q.pushed_since(position));
}

TEST(mpsc_queue, pushed_since_ignores_the_closed_flag) {
  mpsc_queue<int> q;
  const std::uint64_t position = q.consumer_position();
  q.close();
  EXPECT_FALSE(q.pushed_since(position));
  EXPECT_EQ(q.try_emplace(1), push_result::closed);
  EXPECT_FALSE(q.pushed_since(position));
}

// -- storage -----------------------------------------------------------------

TEST(mpsc_queue, release_storage_succeeds_on_a_queue_that_never_held_storage) {
  mpsc_queue<int> q;
  EXPECT_TRUE(q.release_storage());
  EXPECT_FALSE(q.holds_storage());
  ASSERT_EQ(q.try_emplace(5), push_result::ok);
  int v = 0;
  ASSERT_TRUE(q.try_pop(v));
  EXPECT_EQ(v, 5);
}

TEST(mpsc_queue, release_storage_drops_the_block_when_empty) {
  mpsc_queue<int> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  int v = 0;
  ASSERT_TRUE(q.try_pop(v));
  EXPECT_TRUE(q.holds_storage());
  EXPECT_TRUE(q.release_storage());
  EXPECT_FALSE(q.holds_storage());
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.release_storage());  // idempotent
}

TEST(mpsc_queue, release_storage_refuses_while_elements_are_queued) {
  mpsc_queue<int, 4> q;
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  int v = -1;
  ASSERT_TRUE(q.try_pop(v));
  EXPECT_FALSE(q.release_storage());
  EXPECT_TRUE(q.holds_storage());
  EXPECT_EQ(q.size_approx(), 5u);
  ASSERT_EQ(q.try_emplace(6), push_result::ok);  // the queue still works after a refusal
  EXPECT_EQ(drain(q), iota(1, 7));
  EXPECT_TRUE(q.release_storage());
}

TEST(mpsc_queue, release_storage_refuses_when_closed) {
  mpsc_queue<int> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  int v = 0;
  ASSERT_TRUE(q.try_pop(v));
  q.close();
  EXPECT_FALSE(q.release_storage());
  EXPECT_TRUE(q.holds_storage());  // freed by the destructor
}

TEST(mpsc_queue, pushes_after_release_storage_continue_in_fifo_order) {
  mpsc_queue<int, 3> q;
  int next_push = 0;
  int next_pop = 0;
  for (int cycle = 0; cycle < 50; ++cycle) {
    for (int i = 0; i < cycle % 7 + 1; ++i)
      ASSERT_EQ(q.try_emplace(next_push++), push_result::ok);
    for (int v : drain(q))
      ASSERT_EQ(v, next_pop++);
    ASSERT_TRUE(q.release_storage());
    ASSERT_FALSE(q.holds_storage());
  }
  EXPECT_EQ(next_pop, next_push);
}

TEST(mpsc_queue, steady_state_on_one_thread_does_not_allocate) {
  mpsc_queue<int, 4> q;
  auto cycle = [&q] {
    for (int i = 0; i < 64; ++i) {
      ASSERT_EQ(q.try_emplace(i), push_result::ok);
      int v = -1;
      ASSERT_TRUE(q.try_pop(v));
    }
  };
  cycle();  // warm the per-thread block cache
  const std::uint64_t before = hollywood::test::allocation_count();
  cycle();
  EXPECT_EQ(hollywood::test::allocation_count(), before);
}

TEST(mpsc_queue, a_producer_thread_gets_its_blocks_back_from_the_consumer_thread) {
  // A sender that never consumes (not a worker) reuses the blocks the consumer hands back
  // instead of allocating one per block of pushes. Each block-sized chunk waits for the consumer,
  // so every block is home before the next one is needed.
  mpsc_queue<int, 8> q;
  std::atomic<int> consumed{0};
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    while (!done.load(std::memory_order_acquire)) {
      const auto n = q.consume(64, [](int&) noexcept {});
      if (n != 0) consumed.fetch_add(static_cast<int>(n), std::memory_order_release);
    }
  });
  int pushed = 0;
  auto push_chunks = [&](int chunks) {
    for (int c = 0; c < chunks; ++c) {
      for (int i = 0; i < 8; ++i)
        ASSERT_EQ(q.try_emplace(pushed++), push_result::ok);
      while (consumed.load(std::memory_order_acquire) != pushed)
        std::this_thread::yield();
    }
  };
  push_chunks(4);  // the first blocks come from the allocator
  const std::uint64_t before = hollywood::test::allocation_count();
  push_chunks(200);
  EXPECT_EQ(hollywood::test::allocation_count(), before);
  done.store(true, std::memory_order_release);
  consumer.join();
}

TEST(mpsc_queue, blocks_of_producers_that_ended_are_consumed_safely_and_reused) {
  // Producer threads end while their blocks are still queued; the consumer hands those blocks
  // back to the ended threads' parked homes, which later threads adopt.
  mpsc_queue<int, 4> q;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> producers;
    for (int t = 0; t < 3; ++t) {
      producers.emplace_back([&q, t] {
        for (int i = 0; i < 50; ++i)
          ASSERT_EQ(q.try_emplace(t * 1000 + i), push_result::ok);
      });
    }
    for (auto& p : producers)
      p.join();
    std::vector<int> next(3, 0);
    const std::size_t n = q.consume(SIZE_MAX, [&next](int& v) noexcept {
      EXPECT_EQ(v % 1000, next[static_cast<std::size_t>(v / 1000)]++);
    });
    EXPECT_EQ(n, 150u);
    EXPECT_TRUE(q.release_storage());
  }
}

// -- small first blocks --------------------------------------------------------

using small_first = mpsc_queue<int, 8, queue_layout::compact, 2>;

TEST(mpsc_queue, a_small_first_block_is_followed_by_full_blocks_in_fifo_order) {
  small_first q;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(q.try_emplace(round * 1000 + i), push_result::ok);
    EXPECT_EQ(q.size_approx(), 100u);
    for (int i = 0; i < 100; ++i) {
      int v = -1;
      ASSERT_TRUE(q.try_pop(v));
      ASSERT_EQ(v, round * 1000 + i);
    }
    EXPECT_TRUE(q.empty());
    ASSERT_TRUE(q.release_storage());  // the next message starts a small block again
    EXPECT_FALSE(q.holds_storage());
  }
}

TEST(mpsc_queue, a_reused_block_shows_nothing_of_its_earlier_use) {
  // The consumer leaves every slot it read stamped as published. A block that comes back (here
  // a first block of two slots, both read, into a second queue of the thread) must not show
  // those slots as elements of its new use.
  using two_slot_first = mpsc_queue<int, 4, queue_layout::padded, 2>;
  two_slot_first earlier;
  ASSERT_EQ(earlier.try_emplace(1), push_result::ok);
  ASSERT_EQ(earlier.try_emplace(2), push_result::ok);       // the first block's last slot
  EXPECT_EQ(earlier.consume(8, [](int&) noexcept {}), 2u);  // the first block goes home

  for (int round = 0; round < 3; ++round) {
    two_slot_first later;  // its first block is the one `earlier` used
    ASSERT_EQ(later.try_emplace(round), push_result::ok);
    std::vector<int> seen;
    EXPECT_EQ(later.consume(8, [&](int& v) noexcept { seen.push_back(v); }), 1u);
    EXPECT_EQ(seen, std::vector<int>{round});
    EXPECT_TRUE(later.empty());
    EXPECT_EQ(later.consume(8, [](int&) noexcept {}), 0u);
  }
}

TEST(mpsc_queue, one_message_at_a_time_uses_only_small_blocks) {
  small_first q;
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
    EXPECT_EQ(q.size_approx(), 1u);
    int v = -1;
    ASSERT_TRUE(q.try_pop(v));
    ASSERT_EQ(v, i);
    ASSERT_TRUE(q.release_storage());
  }
}

TEST_F(mpsc_queue_lifetime, elements_left_in_a_small_first_block_are_destroyed) {
  {
    mpsc_queue<counted, 8, queue_layout::compact, 2> q;
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(q.try_emplace(i), push_result::ok);
    int v = 0;
    (void)q.consume(1, [&](counted& c) noexcept { v = c.value; });
    EXPECT_EQ(v, 0);
  }
  EXPECT_EQ(counted::constructed, counted::destroyed);
}

TEST(mpsc_queue, closing_a_queue_on_a_small_first_block_keeps_its_elements) {
  small_first q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  q.close();
  EXPECT_EQ(q.try_emplace(2), push_result::closed);
  int v = -1;
  ASSERT_TRUE(q.try_pop(v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(q.empty());
}

// -- closing -----------------------------------------------------------------

TEST_F(mpsc_queue_lifetime, close_rejects_later_pushes_without_constructing) {
  mpsc_queue<counted> q;
  ASSERT_EQ(q.try_emplace(1), push_result::ok);
  q.close();
  EXPECT_TRUE(q.closed());
  const std::size_t before = counted::constructed;
  EXPECT_EQ(q.try_emplace(2), push_result::closed);
  EXPECT_EQ(counted::constructed, before);
  EXPECT_EQ(q.size_approx(), 1u);
}

TEST(mpsc_queue, close_keeps_elements_pushed_before_it) {
  mpsc_queue<int, 2> q;
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);
  q.close();
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(drain(q), iota(0, 5));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.try_emplace(9), push_result::closed);
}

TEST(mpsc_queue, close_is_idempotent) {
  mpsc_queue<int> q;
  q.close();
  q.close();
  EXPECT_TRUE(q.closed());
  EXPECT_EQ(q.try_emplace(1), push_result::closed);
  EXPECT_TRUE(q.empty());
}

TEST(mpsc_queue, close_works_on_a_queue_without_storage) {
  mpsc_queue<int> q;
  q.close();
  EXPECT_EQ(q.try_push(1), push_result::closed);
  EXPECT_FALSE(q.holds_storage());
  EXPECT_EQ(q.size_approx(), 0u);
}

TEST(mpsc_queue, close_works_right_after_a_block_boundary) {
  mpsc_queue<int, 2> q;
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(q.try_emplace(i), push_result::ok);  // tail: next block
  q.close();
  EXPECT_EQ(q.try_emplace(2), push_result::closed);
  EXPECT_EQ(drain(q), iota(0, 2));
}

// -- element lifetimes ---------------------------------------------------------

TEST_F(mpsc_queue_lifetime, destructor_destroys_remaining_elements) {
  {
    mpsc_queue<counted, 4> q;
    for (int i = 0; i < 37; ++i)
      ASSERT_EQ(q.try_emplace(i), push_result::ok);
    ASSERT_EQ(q.consume(9, [](counted&) noexcept {}), 9u);  // the head is mid-block
    EXPECT_EQ(counted::alive(), 28u);
  }
  EXPECT_EQ(counted::alive(), 0u);
  EXPECT_EQ(counted::constructed, 37u);
}

TEST_F(mpsc_queue_lifetime, destructor_destroys_elements_of_a_closed_queue) {
  {
    mpsc_queue<counted, 3> q;
    for (int i = 0; i < 10; ++i)
      ASSERT_EQ(q.try_emplace(i), push_result::ok);
    q.close();
  }
  EXPECT_EQ(counted::alive(), 0u);
}

TEST_F(mpsc_queue_lifetime, every_element_is_destroyed_exactly_once) {
  {
    mpsc_queue<counted, 5> q;
    int next = 0;
    for (int round = 0; round < 40; ++round) {
      for (int i = 0; i < 7; ++i)
        ASSERT_EQ(q.try_emplace(next++), push_result::ok);
      counted out(-1);
      ASSERT_TRUE(q.try_pop(out));
      (void)q.consume(round % 6, [](counted&) noexcept {});
      if (round % 9 == 0) {
        (void)q.consume(SIZE_MAX, [](counted&) noexcept {});
        ASSERT_TRUE(q.release_storage());
      }
    }
  }
  EXPECT_EQ(counted::alive(), 0u);
}

TEST(mpsc_queue, holds_move_only_types) {
  mpsc_queue<std::unique_ptr<int>, 2> q;
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(q.try_emplace(std::make_unique<int>(i)), push_result::ok);
  std::unique_ptr<int> out;
  ASSERT_TRUE(q.try_pop(out));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(*out, 0);
  std::vector<int> seen;
  std::vector<std::unique_ptr<int>> kept;
  EXPECT_EQ(q.consume(SIZE_MAX,
                      [&](std::unique_ptr<int>& p) noexcept {
                        seen.push_back(*p);
                        if (*p % 2 == 0) kept.push_back(std::move(p));  // moved-from is destroyed
                      }),
            4u);
  EXPECT_EQ(seen, iota(1, 5));
  EXPECT_EQ(kept.size(), 2u);
}

}  // namespace
