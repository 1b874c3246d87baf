// SPDX-License-Identifier: MIT
#include <hollywood/actor/message.hpp>

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

namespace {

using hollywood::actor::message;

struct small {
  int value;
};
struct big {
  std::array<char, 256> bytes{};
  int tag = 0;
};
struct counted {
  static inline int alive = 0;
  counted() { ++alive; }
  counted(const counted&) { ++alive; }
  counted(counted&&) noexcept { ++alive; }
  ~counted() { --alive; }
};

TEST(message, default_constructed_message_is_empty) {
  message m;
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.is<int>());
  EXPECT_EQ(m.get_if<int>(), nullptr);
  EXPECT_EQ(m.type_name(), "");
}

TEST(message, holds_a_small_value_and_tests_its_exact_type) {
  message m(small{42});
  EXPECT_FALSE(m.empty());
  EXPECT_TRUE(m.is<small>());
  EXPECT_FALSE(m.is<int>());
  EXPECT_EQ(m.get<small>().value, 42);
}

TEST(message, stores_values_larger_than_the_inline_buffer_on_the_heap) {
  big b;
  b.tag = 7;
  message m(b);
  ASSERT_TRUE(m.is<big>());
  EXPECT_EQ(m.get<big>().tag, 7);
  message moved(std::move(m));
  EXPECT_TRUE(m.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(moved.get<big>().tag, 7);
}

TEST(message, moves_and_destroys_non_trivial_values_exactly_once) {
  {
    message a{counted{}};
    EXPECT_EQ(counted::alive, 1);
    message b(std::move(a));
    EXPECT_EQ(counted::alive, 1);
    message c;
    c = std::move(b);
    EXPECT_EQ(counted::alive, 1);
  }
  EXPECT_EQ(counted::alive, 0);
}

TEST(message, keeps_a_string_inline_and_reads_it_back) {
  message m(std::string("a string longer than fifteen characters"));
  ASSERT_TRUE(m.is<std::string>());
  EXPECT_EQ(m.get<std::string>(), "a string longer than fifteen characters");
}

TEST(message, holds_move_only_values_and_copies_them_as_empty) {
  message m(std::make_unique<int>(5));
  ASSERT_TRUE(m.is<std::unique_ptr<int>>());
  EXPECT_FALSE(m.copyable());
  EXPECT_TRUE(m.copy().empty());
  EXPECT_EQ(*m.get<std::unique_ptr<int>>(), 5);
}

TEST(message, copies_copyable_values) {
  message m(std::string("x"));
  message c = m.copy();
  EXPECT_EQ(c.get<std::string>(), "x");
  EXPECT_EQ(m.get<std::string>(), "x");
}

TEST(message, match_calls_the_first_handler_for_the_held_type) {
  message m(small{3});
  int seen = 0;
  const bool handled =
      m.match([&](const std::string&) { seen = -1; }, [&](const small& s) { seen = s.value; });
  EXPECT_TRUE(handled);
  EXPECT_EQ(seen, 3);
  EXPECT_FALSE(m.match([&](const big&) { seen = -2; }));
}

TEST(message, names_the_held_type_for_diagnostics) {
  message m(small{1});
  EXPECT_NE(m.type_name().find("small"), std::string_view::npos);
}

}  // namespace
