// SPDX-License-Identifier: MIT
// Single-threaded tests of mpsc_ring. Concurrent producers and close races:
// ring_stress_test.cpp.

#include <hollywood/ringbuffer/mpsc_ring.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::test {

/// Defined in mpsc_queue_test.cpp, which replaces the global operator new for this binary.
std::uint64_t allocation_count() noexcept;

}  // namespace hollywood::test

namespace {

using hollywood::ringbuffer::mpsc_ring;
using hollywood::ringbuffer::push_result;

struct counted {
  static inline std::size_t constructed = 0;
  static inline std::size_t destroyed = 0;

  static std::size_t alive() noexcept { return constructed - destroyed; }

  explicit counted(int v) noexcept : value(v) { ++constructed; }

  counted(const counted& other) noexcept : value(other.value) { ++constructed; }

  counted(counted&& other) noexcept : value(other.value) { ++constructed; }

  counted& operator=(const counted&) noexcept = default;
  counted& operator=(counted&&) noexcept = default;

  ~counted() { ++destroyed; }

  int value = 0;
};

class mpsc_ring_lifetime : public ::testing::Test {
 protected:
  void SetUp() override { counted::constructed = counted::destroyed = 0; }
};

std::vector<int> drain(mpsc_ring<int>& ring) {
  std::vector<int> out;
  int v = 0;
  while (ring.try_pop(v))
    out.push_back(v);
  return out;
}

TEST(mpsc_ring, capacity_is_the_constructor_argument) {
  EXPECT_EQ(mpsc_ring<int>(2).capacity(), 2u);
  EXPECT_EQ(mpsc_ring<int>(4096).capacity(), 4096u);
}

TEST(mpsc_ring, starts_empty_and_open) {
  mpsc_ring<int> ring(4);
  EXPECT_TRUE(ring.empty());
  EXPECT_FALSE(ring.closed());
  EXPECT_EQ(ring.size_approx(), 0u);
  EXPECT_EQ(ring.front(), nullptr);
}

TEST(mpsc_ring, try_push_returns_full_when_every_slot_holds_an_element) {
  mpsc_ring<int> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(ring.try_push(i), push_result::ok);
  EXPECT_EQ(ring.try_push(4), push_result::full);
  EXPECT_EQ(ring.size_approx(), 4u);
  int v = -1;
  ASSERT_TRUE(ring.try_pop(v));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(ring.try_push(4), push_result::ok);
  EXPECT_EQ(ring.try_push(5), push_result::full);
}

TEST(mpsc_ring, an_element_held_through_front_still_occupies_its_slot) {
  mpsc_ring<int> ring(2);
  ASSERT_EQ(ring.try_push(0), push_result::ok);
  ASSERT_EQ(ring.try_push(1), push_result::ok);
  ASSERT_NE(ring.front(), nullptr);
  EXPECT_EQ(ring.try_push(2), push_result::full);  // not freed until pop_front()
  ring.pop_front();
  EXPECT_EQ(ring.try_push(2), push_result::ok);
}

TEST_F(mpsc_ring_lifetime, try_emplace_constructs_nothing_when_full_or_closed) {
  mpsc_ring<counted> ring(2);
  ASSERT_EQ(ring.try_emplace(1), push_result::ok);
  ASSERT_EQ(ring.try_emplace(2), push_result::ok);
  EXPECT_EQ(ring.try_emplace(3), push_result::full);
  EXPECT_EQ(counted::constructed, 2u);
  ring.close();
  EXPECT_EQ(ring.try_emplace(4), push_result::closed);
  EXPECT_EQ(counted::constructed, 2u);
}

TEST(mpsc_ring, try_push_leaves_an_rvalue_untouched_unless_it_succeeds) {
  mpsc_ring<std::unique_ptr<int>> ring(2);
  ASSERT_EQ(ring.try_push(std::make_unique<int>(0)), push_result::ok);
  ASSERT_EQ(ring.try_push(std::make_unique<int>(1)), push_result::ok);
  auto p = std::make_unique<int>(2);
  // try_push moves only on success, so `p` is still ours: the use after std::move is the test.
  EXPECT_EQ(ring.try_push(std::move(p)), push_result::full);
  ASSERT_NE(p, nullptr);  // NOLINT(bugprone-use-after-move)
  ring.close();
  EXPECT_EQ(ring.try_push(std::move(p)), push_result::closed);  // NOLINT(bugprone-use-after-move)
  ASSERT_NE(p, nullptr);                                        // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(*p, 2);                                             // NOLINT(bugprone-use-after-move)
}

TEST(mpsc_ring, try_pop_returns_false_when_empty) {
  mpsc_ring<int> ring(2);
  int v = 7;
  EXPECT_FALSE(ring.try_pop(v));
  EXPECT_EQ(v, 7);
  ASSERT_EQ(ring.try_push(1), push_result::ok);
  EXPECT_TRUE(ring.try_pop(v));
  EXPECT_EQ(v, 1);
  EXPECT_FALSE(ring.try_pop(v));
}

TEST(mpsc_ring, keeps_fifo_order_across_many_laps) {
  mpsc_ring<int> ring(8);
  int next_push = 0;
  int next_pop = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int k = 0; k < round % 11; ++k) {
      if (ring.try_push(next_push) != push_result::ok) break;
      ++next_push;
    }
    for (int k = 0; k < round % 7; ++k) {
      int v = -1;
      if (!ring.try_pop(v)) break;
      ASSERT_EQ(v, next_pop++);
    }
    ASSERT_EQ(ring.size_approx(), static_cast<std::size_t>(next_push - next_pop));
    ASSERT_EQ(ring.empty(), next_push == next_pop);
  }
  EXPECT_GT(next_pop, 1000);
}

TEST(mpsc_ring, a_ring_of_two_alternates_between_full_and_empty) {
  mpsc_ring<int> ring(2);
  for (int i = 0; i < 20; i += 2) {
    ASSERT_EQ(ring.try_push(i), push_result::ok);
    ASSERT_EQ(ring.try_push(i + 1), push_result::ok);
    ASSERT_EQ(ring.try_push(-1), push_result::full);
    ASSERT_EQ(drain(ring), (std::vector<int>{i, i + 1}));
  }
}

TEST(mpsc_ring, front_gives_zero_copy_access_until_pop_front) {
  mpsc_ring<std::string> ring(4);
  ASSERT_EQ(ring.try_push(std::string(40, 'x')), push_result::ok);
  ASSERT_EQ(ring.try_push(std::string("second")), push_result::ok);
  std::string* p = ring.front();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->size(), 40u);
  EXPECT_EQ(ring.front(), p);
  ring.pop_front();
  std::string* second = ring.front();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*second, "second");
  ring.pop_front();
  EXPECT_EQ(ring.front(), nullptr);
}

TEST(mpsc_ring, try_pop_discards_the_oldest_to_make_room_for_drop_oldest) {
  mpsc_ring<int> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(ring.try_push(i), push_result::ok);
  // The overflow policy drop_oldest, as a consumer-side inbox would run it.
  for (int i = 4; i < 10; ++i) {
    if (ring.try_push(i) == push_result::full) {
      int dropped = -1;
      ASSERT_TRUE(ring.try_pop(dropped));
      ASSERT_EQ(ring.try_push(i), push_result::ok);
    }
  }
  EXPECT_EQ(drain(ring), (std::vector<int>{6, 7, 8, 9}));
}

TEST(mpsc_ring, consume_stops_at_max_and_when_empty) {
  mpsc_ring<int> ring(16);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(ring.try_push(i), push_result::ok);
  std::vector<int> seen;
  auto collect = [&seen](int& v) noexcept { seen.push_back(v); };
  EXPECT_EQ(ring.consume(0, collect), 0u);
  EXPECT_EQ(ring.consume(3, collect), 3u);
  EXPECT_EQ(ring.size_approx(), 7u);
  EXPECT_EQ(ring.consume(100, collect), 7u);
  EXPECT_EQ(ring.consume(100, collect), 0u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(mpsc_ring, consume_frees_each_slot_right_after_its_element) {
  mpsc_ring<int> ring(2);
  ASSERT_EQ(ring.try_push(0), push_result::ok);
  ASSERT_EQ(ring.try_push(1), push_result::ok);
  std::vector<push_result> results;
  // A callback that pushes (an actor sending to itself) finds the previous slot already free.
  EXPECT_EQ(ring.consume(2, [&](int& v) noexcept { results.push_back(ring.try_push(v + 10)); }),
            2u);
  EXPECT_EQ(results, (std::vector<push_result>{push_result::full, push_result::ok}));
  EXPECT_EQ(drain(ring), (std::vector<int>{11}));
}

TEST(mpsc_ring, close_rejects_later_pushes_and_keeps_earlier_elements) {
  mpsc_ring<int> ring(4);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(ring.try_push(i), push_result::ok);
  ring.close();
  EXPECT_TRUE(ring.closed());
  EXPECT_EQ(ring.try_push(3), push_result::closed);
  EXPECT_EQ(ring.size_approx(), 3u);
  EXPECT_FALSE(ring.empty());
  EXPECT_EQ(drain(ring), (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.try_push(4), push_result::closed);
}

TEST(mpsc_ring, closed_takes_precedence_over_full) {
  mpsc_ring<int> ring(2);
  ASSERT_EQ(ring.try_push(0), push_result::ok);
  ASSERT_EQ(ring.try_push(1), push_result::ok);
  ring.close();
  EXPECT_EQ(ring.try_push(2), push_result::closed);
}

TEST(mpsc_ring, close_is_idempotent) {
  mpsc_ring<int> ring(2);
  ring.close();
  ring.close();
  EXPECT_TRUE(ring.closed());
  EXPECT_EQ(ring.try_push(1), push_result::closed);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.size_approx(), 0u);
}

TEST(mpsc_ring, never_allocates_after_construction) {
  mpsc_ring<std::uint64_t> ring(64);
  const std::uint64_t before = hollywood::test::allocation_count();
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    while (ring.try_push(i) != push_result::ok) {
      (void)ring.consume(5, [&sum](std::uint64_t& v) noexcept { sum += v; });
    }
  }
  ring.close();
  (void)ring.try_push(0);
  std::uint64_t v = 0;
  while (ring.try_pop(v))
    sum += v;
  const std::uint64_t after = hollywood::test::allocation_count();
  EXPECT_EQ(after, before);
  EXPECT_EQ(sum, 999u * 1000u / 2);
}

TEST(mpsc_ring, holds_move_only_types) {
  mpsc_ring<std::unique_ptr<int>> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(ring.try_emplace(std::make_unique<int>(i)), push_result::ok);
  std::unique_ptr<int> out;
  ASSERT_TRUE(ring.try_pop(out));
  EXPECT_EQ(*out, 0);
  std::vector<std::unique_ptr<int>> kept;
  kept.reserve(4);
  EXPECT_EQ(
      ring.consume(SIZE_MAX,
                   [&kept](std::unique_ptr<int>& p) noexcept { kept.push_back(std::move(p)); }),
      3u);
  EXPECT_EQ(*kept.back(), 3);
}

TEST_F(mpsc_ring_lifetime, destructor_destroys_remaining_elements_after_wrap_around) {
  {
    mpsc_ring<counted> ring(4);
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(ring.try_emplace(i), push_result::ok);
    ASSERT_EQ(ring.consume(3, [](counted&) noexcept {}), 3u);
    for (int i = 0; i < 4; ++i)
      ASSERT_EQ(ring.try_emplace(i), push_result::ok);
    ring.close();
    EXPECT_EQ(counted::alive(), 4u);
  }
  EXPECT_EQ(counted::alive(), 0u);
  EXPECT_EQ(counted::constructed, 7u);
}

TEST_F(mpsc_ring_lifetime, every_element_is_destroyed_exactly_once) {
  {
    mpsc_ring<counted> ring(8);
    for (int round = 0; round < 100; ++round) {
      for (int k = 0; k < 5; ++k)
        (void)ring.try_emplace(k);
      counted out(0);
      (void)ring.try_pop(out);
      if (ring.front() != nullptr) ring.pop_front();
      (void)ring.consume(static_cast<std::size_t>(round % 3), [](counted&) noexcept {});
    }
  }
  EXPECT_EQ(counted::alive(), 0u);
}

TEST(mpsc_ring, separates_producer_and_consumer_indices_by_padding) {
  EXPECT_EQ(sizeof(mpsc_ring<int>), 3 * hollywood::false_sharing_range);
  EXPECT_EQ(alignof(mpsc_ring<int>), hollywood::false_sharing_range);
}

}  // namespace
