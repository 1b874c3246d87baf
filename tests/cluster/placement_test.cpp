// SPDX-License-Identifier: MIT
// The placement functions are part of the wire contract: pinned values, balance, minimal movement.
#include <hollywood/cluster/placement.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace hollywood::cluster {
namespace {

TEST(placement, murmur3_matches_the_reference_vectors) {
  EXPECT_EQ(murmur3_x86_32("", 0), 0U);
  EXPECT_EQ(murmur3_x86_32("", 1), 0x514E28B7U);
  EXPECT_EQ(murmur3_x86_32("", 0xffffffffU), 0x81F16F39U);
  EXPECT_EQ(murmur3_x86_32("hello", 0), 0x248BFA47U);
  EXPECT_EQ(murmur3_x86_32("The quick brown fox jumps over the lazy dog", 0), 0x2E4FF723U);
  // Every tail length (1, 2, 3 trailing bytes) goes through its own branch.
  EXPECT_EQ(murmur3_x86_32("a", 0), 0x3C2569B2U);
  EXPECT_EQ(murmur3_x86_32("ab", 0), 0x9BBFD75FU);
  EXPECT_EQ(murmur3_x86_32("abc", 0), 0xB3DD93FAU);
  EXPECT_EQ(murmur3_x86_32("abcd", 0), 0x43ED676AU);
}

TEST(placement, shard_hashes_kind_slash_id) {
  EXPECT_EQ(shard_of("player", "42", 256), murmur3_x86_32("player/42") % 256);
  const std::string long_id(1000, 'x');
  EXPECT_EQ(shard_of("k", long_id, 256), murmur3_x86_32("k/" + long_id) % 256);
  EXPECT_LT(shard_of("player", "42", 7), 7U);
}

std::string owner(const std::vector<std::string>& members, const std::string& kind,
                  std::uint32_t shard) {
  return *std::max_element(members.begin(), members.end(), [&](const auto& a, const auto& b) {
    return rendezvous_score(kind, shard, a) < rendezvous_score(kind, shard, b);
  });
}

TEST(placement, rendezvous_spreads_shards_evenly) {
  const std::vector<std::string> members{"a", "b", "c", "d"};
  std::map<std::string, int> count;
  for (std::uint32_t s = 0; s < 256; ++s)
    ++count[owner(members, "player", s)];
  for (const auto& m : members) {
    EXPECT_GT(count[m], 256 / 4 / 2) << m;  // within a factor of two of the fair share
    EXPECT_LT(count[m], 256 / 4 * 2) << m;
  }
}

TEST(placement, a_join_moves_only_shards_to_the_newcomer) {
  const std::vector<std::string> before{"a", "b", "c"};
  const std::vector<std::string> after{"a", "b", "c", "d"};
  int moved = 0;
  for (std::uint32_t s = 0; s < 256; ++s) {
    const auto o1 = owner(before, "player", s);
    const auto o2 = owner(after, "player", s);
    if (o1 != o2) {
      EXPECT_EQ(o2, "d");
      ++moved;
    }
  }
  EXPECT_GT(moved, 256 / 4 / 2);
  EXPECT_LT(moved, 256 / 4 * 2);
}

}  // namespace
}  // namespace hollywood::cluster
