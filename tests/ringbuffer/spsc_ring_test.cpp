// SPDX-License-Identifier: MIT
// Single-threaded tests of spsc_ring. Cross-thread behaviour: ring_stress_test.cpp.

#include <hollywood/ringbuffer/spsc_ring.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace hollywood::test {

/// Defined in mpsc_queue_test.cpp, which replaces the global operator new for this binary.
std::uint64_t allocation_count() noexcept;

}  // namespace hollywood::test

namespace {

using hollywood::ringbuffer::spsc_ring;

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

class spsc_ring_lifetime : public ::testing::Test {
 protected:
  void SetUp() override { counted::constructed = counted::destroyed = 0; }
};

/// Throws from one constructor when asked to, to check the strong guarantee of try_emplace.
struct throws_on_request {
  explicit throws_on_request(bool fail) {
    if (fail) throw std::runtime_error("requested");
  }

  throws_on_request(throws_on_request&&) noexcept = default;
  throws_on_request& operator=(throws_on_request&&) noexcept = default;
};

TEST(spsc_ring, capacity_is_the_constructor_argument) {
  EXPECT_EQ(spsc_ring<int>(1).capacity(), 1u);
  EXPECT_EQ(spsc_ring<int>(2).capacity(), 2u);
  EXPECT_EQ(spsc_ring<int>(1024).capacity(), 1024u);
}

TEST(spsc_ring, starts_empty) {
  spsc_ring<int> ring(4);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.size_approx(), 0u);
  EXPECT_EQ(ring.front(), nullptr);
}

TEST(spsc_ring, try_push_fails_when_full) {
  spsc_ring<int> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(ring.try_push(i));  // every slot is usable
  EXPECT_FALSE(ring.try_push(4));
  EXPECT_EQ(ring.size_approx(), 4u);
  int v = -1;
  ASSERT_TRUE(ring.try_pop(v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ring.try_push(4));  // one slot came back
  EXPECT_FALSE(ring.try_push(5));
}

TEST_F(spsc_ring_lifetime, try_emplace_constructs_nothing_when_full) {
  spsc_ring<counted> ring(2);
  ASSERT_TRUE(ring.try_emplace(1));
  ASSERT_TRUE(ring.try_emplace(2));
  EXPECT_FALSE(ring.try_emplace(3));
  EXPECT_EQ(counted::constructed, 2u);
}

TEST(spsc_ring, try_push_leaves_an_rvalue_untouched_when_full) {
  spsc_ring<std::unique_ptr<int>> ring(1);
  ASSERT_TRUE(ring.try_push(std::make_unique<int>(1)));
  auto p = std::make_unique<int>(2);
  // try_push moves only on success, so `p` is still ours: the use after std::move is the test.
  EXPECT_FALSE(ring.try_push(std::move(p)));
  ASSERT_NE(p, nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(*p, 2);       // NOLINT(bugprone-use-after-move)
}

TEST(spsc_ring, try_pop_fails_when_empty) {
  spsc_ring<int> ring(2);
  int v = 7;
  EXPECT_FALSE(ring.try_pop(v));
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(ring.try_push(1));
  EXPECT_TRUE(ring.try_pop(v));
  EXPECT_FALSE(ring.try_pop(v));
  EXPECT_EQ(v, 1);
}

TEST(spsc_ring, keeps_fifo_order_across_many_wrap_arounds) {
  spsc_ring<int> ring(8);
  int next_push = 0;
  int next_pop = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int k = 0; k < round % 9; ++k) {
      if (!ring.try_push(next_push)) break;
      ++next_push;
    }
    for (int k = 0; k < round % 7; ++k) {
      int v = -1;
      if (!ring.try_pop(v)) break;
      ASSERT_EQ(v, next_pop++);
    }
    ASSERT_EQ(ring.size_approx(), static_cast<std::size_t>(next_push - next_pop));
  }
  EXPECT_GT(next_pop, 1000);
}

TEST(spsc_ring, a_ring_of_one_alternates_between_full_and_empty) {
  spsc_ring<int> ring(1);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    ASSERT_FALSE(ring.try_push(i));
    int v = -1;
    ASSERT_TRUE(ring.try_pop(v));
    ASSERT_EQ(v, i);
    ASSERT_FALSE(ring.try_pop(v));
  }
}

TEST(spsc_ring, front_gives_zero_copy_access_until_pop_front) {
  spsc_ring<std::string> ring(4);
  ASSERT_TRUE(ring.try_emplace(3, 'x'));
  ASSERT_TRUE(ring.try_push("second"));
  std::string* p = ring.front();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, "xxx");
  EXPECT_EQ(ring.front(), p);  // same element, same place, until popped
  p->append("!");
  ring.pop_front();
  std::string* second = ring.front();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*second, "second");
  ring.pop_front();
  EXPECT_EQ(ring.front(), nullptr);
  EXPECT_TRUE(ring.empty());
}

TEST(spsc_ring, consume_stops_at_max_and_when_empty) {
  spsc_ring<int> ring(16);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(ring.try_push(i));
  std::vector<int> seen;
  auto collect = [&seen](int& v) noexcept { seen.push_back(v); };
  EXPECT_EQ(ring.consume(0, collect), 0u);
  EXPECT_EQ(ring.consume(4, collect), 4u);
  EXPECT_EQ(ring.size_approx(), 6u);
  EXPECT_EQ(ring.consume(100, collect), 6u);
  EXPECT_EQ(ring.consume(100, collect), 0u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(spsc_ring, consumed_slots_are_reusable_after_consume_returns) {
  spsc_ring<int> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(ring.try_push(i));
  ASSERT_EQ(ring.consume(3, [](int&) noexcept {}), 3u);
  for (int i = 4; i < 7; ++i)
    ASSERT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(7));
  std::vector<int> seen;
  ASSERT_EQ(ring.consume(10, [&seen](int& v) noexcept { seen.push_back(v); }), 4u);
  EXPECT_EQ(seen, (std::vector<int>{3, 4, 5, 6}));
}

TEST(spsc_ring, try_emplace_leaves_the_ring_unchanged_when_the_constructor_throws) {
  spsc_ring<throws_on_request> ring(2);
  ASSERT_TRUE(ring.try_emplace(false));
  EXPECT_THROW((void)ring.try_emplace(true), std::runtime_error);
  EXPECT_EQ(ring.size_approx(), 1u);
  ASSERT_TRUE(ring.try_emplace(false));
  EXPECT_FALSE(ring.try_emplace(false));
}

TEST(spsc_ring, never_allocates_after_construction) {
  spsc_ring<std::uint64_t> ring(64);
  const std::uint64_t before = hollywood::test::allocation_count();
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    while (!ring.try_push(i)) {
      (void)ring.consume(7, [&sum](std::uint64_t& v) noexcept { sum += v; });
    }
  }
  std::uint64_t v = 0;
  while (ring.try_pop(v))
    sum += v;
  const std::uint64_t after = hollywood::test::allocation_count();
  EXPECT_EQ(after, before);
  EXPECT_EQ(sum, 999u * 1000u / 2);
}

TEST(spsc_ring, holds_move_only_types) {
  spsc_ring<std::unique_ptr<int>> ring(4);
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(ring.try_emplace(std::make_unique<int>(i)));
  std::unique_ptr<int> out;
  ASSERT_TRUE(ring.try_pop(out));
  EXPECT_EQ(*out, 0);
  std::vector<std::unique_ptr<int>> kept;
  kept.reserve(4);
  EXPECT_EQ(
      ring.consume(SIZE_MAX,
                   [&kept](std::unique_ptr<int>& p) noexcept { kept.push_back(std::move(p)); }),
      3u);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(*kept[2], 3);
}

TEST_F(spsc_ring_lifetime, destructor_destroys_remaining_elements_after_wrap_around) {
  {
    spsc_ring<counted> ring(4);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(ring.try_emplace(i));
    ASSERT_EQ(ring.consume(3, [](counted&) noexcept {}), 3u);
    for (int i = 0; i < 4; ++i)
      ASSERT_TRUE(ring.try_emplace(i));  // wraps past the end
    EXPECT_EQ(counted::alive(), 4u);
  }
  EXPECT_EQ(counted::alive(), 0u);
  EXPECT_EQ(counted::constructed, 7u);
}

TEST_F(spsc_ring_lifetime, every_element_is_destroyed_exactly_once) {
  {
    spsc_ring<counted> ring(8);
    for (int round = 0; round < 100; ++round) {
      for (int k = 0; k < 5; ++k)
        (void)ring.try_emplace(k);
      counted out(0);
      (void)ring.try_pop(out);
      if (counted* p = ring.front()) {
        (void)p;
        ring.pop_front();
      }
      (void)ring.consume(static_cast<std::size_t>(round % 3), [](counted&) noexcept {});
    }
  }
  EXPECT_EQ(counted::alive(), 0u);
}

TEST(spsc_ring, separates_producer_and_consumer_indices_by_padding) {
  // Read-only fields, producer line, consumer line: three false-sharing ranges.
  EXPECT_EQ(sizeof(spsc_ring<int>), 3 * hollywood::false_sharing_range);
  EXPECT_EQ(alignof(spsc_ring<int>), hollywood::false_sharing_range);
}

}  // namespace
