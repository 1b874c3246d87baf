// SPDX-License-Identifier: MIT
#include "offset_tracker.hpp"

#include <gtest/gtest.h>

namespace {

using hollywood::eventbus::kafka::detail::offset_tracker;

TEST(offset_tracker, commits_nothing_before_the_first_record) {
  offset_tracker t;
  EXPECT_FALSE(t.committable());
  EXPECT_FALSE(t.mark_done(3));
}

TEST(offset_tracker, the_committable_offset_is_the_first_one_not_done) {
  offset_tracker t;
  for (std::int64_t o = 10; o < 15; ++o)
    ASSERT_TRUE(t.add(o));
  EXPECT_EQ(t.committable(), 10);
  EXPECT_FALSE(t.mark_done(12));  // beyond the gap at 10 and 11
  EXPECT_FALSE(t.mark_done(14));
  EXPECT_EQ(t.committable(), 10);
  EXPECT_EQ(t.pending(), 3u);
  EXPECT_EQ(t.done_beyond_gap(), 2u);
  EXPECT_TRUE(t.mark_done(10));
  EXPECT_EQ(t.committable(), 11);
  EXPECT_TRUE(t.mark_done(11));  // closes the gap: 12 was done, 13 is not
  EXPECT_EQ(t.committable(), 13);
  EXPECT_TRUE(t.mark_done(13));
  EXPECT_EQ(t.committable(), 15);  // all done: one past the last
  EXPECT_EQ(t.pending(), 0u);
  EXPECT_EQ(t.done_beyond_gap(), 0u);
}

TEST(offset_tracker, holes_in_the_offsets_do_not_hold_the_commit) {
  offset_tracker t;
  ASSERT_TRUE(t.add(5));
  ASSERT_TRUE(t.add(9));  // 6..8 never arrive (compaction, transaction markers)
  ASSERT_TRUE(t.add(10));
  EXPECT_TRUE(t.mark_done(5));
  EXPECT_EQ(t.committable(), 9);
  EXPECT_FALSE(t.mark_done(10));
  EXPECT_TRUE(t.mark_done(9));
  EXPECT_EQ(t.committable(), 11);
}

TEST(offset_tracker, redeliveries_and_unknown_or_repeated_completions_are_refused) {
  offset_tracker t;
  ASSERT_TRUE(t.add(1));
  ASSERT_TRUE(t.add(2));
  EXPECT_FALSE(t.add(2));
  EXPECT_FALSE(t.add(0));
  EXPECT_FALSE(t.mark_done(7));
  EXPECT_FALSE(t.mark_done(2));
  EXPECT_FALSE(t.mark_done(2));
  EXPECT_EQ(t.done_beyond_gap(), 1u);
  EXPECT_TRUE(t.mark_done(1));
  EXPECT_EQ(t.committable(), 3);
}

}  // namespace
