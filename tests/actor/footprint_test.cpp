// SPDX-License-Identifier: MIT
// What an idle actor costs, and the producer that every actor keeps for its restarts.
#include <hollywood/actor.hpp>

#include "process.hpp"
#include "process_heap.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using namespace hollywood::actor;

TEST(footprint, a_process_fits_three_cache_lines) {
  // The process heap's slot is three lines (a static_assert holds the process to it); a fourth
  // would cost every idle actor 64 bytes. bench/README.md's many-memory figure rests on this.
  EXPECT_EQ(detail::process_heap::slot_bytes, 3 * 64u);
  EXPECT_LE(sizeof(detail::process), detail::process_heap::slot_bytes);
  EXPECT_EQ(sizeof(producer), 2 * sizeof(void*));
}

struct tagged : receiver {
  explicit tagged(std::string t) : tag(std::move(t)) {}
  void receive(context&) override {}
  std::string tag;
};

std::string tag_of(const producer& p) {
  auto r = p();
  return static_cast<tagged&>(*r).tag;
}

TEST(producer, a_small_capture_with_a_destructor_is_kept_in_place_and_released_once) {
  auto owner = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owner;
  {
    producer p = [owner] { return std::make_unique<tagged>(std::to_string(*owner)); };
    owner.reset();
    EXPECT_FALSE(watch.expired());  // the producer holds the only reference
    producer copy = p;
    producer moved = std::move(p);
    EXPECT_FALSE(p);  // NOLINT(bugprone-use-after-move): a moved-from producer is empty
    EXPECT_EQ(tag_of(copy), "7");
    EXPECT_EQ(tag_of(moved), "7");
  }
  EXPECT_TRUE(watch.expired());
}

TEST(producer, a_large_capture_is_allocated_and_copies_are_independent) {
  const std::string long_tag(100, 'x');
  int calls = 0;
  producer p = [long_tag, &calls, padding = std::array<char, 64>{}]() mutable {
    ++calls;
    padding[0] = 1;
    return std::make_unique<tagged>(long_tag);
  };
  producer copy = p;
  EXPECT_EQ(tag_of(p), long_tag);
  EXPECT_EQ(tag_of(copy), long_tag);
  EXPECT_EQ(calls, 2);
  copy = nullptr;
  EXPECT_FALSE(copy);
  copy = p;
  p = std::move(copy);
  EXPECT_EQ(tag_of(p), long_tag);
}

TEST(producer, make_producer_and_make_fn_producer_build_fresh_receivers) {
  producer p = make_producer<tagged>(std::string("a"));
  auto first = p();
  auto second = p();
  EXPECT_NE(first.get(), second.get());
  EXPECT_EQ(static_cast<tagged&>(*second).tag, "a");
  int seen = 0;
  producer fn = make_fn_producer([&seen](context&) { ++seen; });
  EXPECT_TRUE(static_cast<bool>(fn));
  EXPECT_NE(fn(), nullptr);
  EXPECT_FALSE(producer{});
}

}  // namespace
