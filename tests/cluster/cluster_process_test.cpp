// SPDX-License-Identifier: MIT
// Failover with real `hollywood node` processes on loopback, for both providers at their
// default timings: kill -9 and SIGSTOP of an owner, with single activation checked from every
// member's log of handled messages.
#include "process_cluster.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <thread>

namespace hollywood::test {
namespace {

using namespace std::chrono_literals;

class cluster_process : public ::testing::TestWithParam<provider> {};

/// Visits k0..k29 (prefix `p`) once each; returns who handled each one.
std::map<std::string, std::string> visit_all(process_cluster& pc, const std::string& p) {
  std::map<std::string, std::string> owner;
  for (int i = 0; i < 30; ++i) {
    const std::string id = p + std::to_string(i);
    owner[id] = pc.visit(id, 10s);
    EXPECT_FALSE(owner[id].empty()) << id;
  }
  return owner;
}

std::size_t index_of(const std::string& member) {
  return static_cast<std::size_t>(std::stoul(member.substr(1)));
}

long long ms_since(std::chrono::steady_clock::time_point t) {
  return static_cast<long long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

TEST_P(cluster_process, kill_9_of_an_owner_moves_its_identities_within_8_seconds) {
  process_cluster pc(3, GetParam());
  ASSERT_TRUE(wait_until([&] { return pc.all_joined(); })) << pc.members_text();
  const auto owner = visit_all(pc, "k");
  const std::string victim = owner.at("k0");
  ASSERT_FALSE(victim.empty());
  const auto killed_at = std::chrono::steady_clock::now();
  pc.node(index_of(victim)).kill(SIGKILL);
  // Every identity answers again, none from the dead member.
  for (const auto& [id, who] : owner) {
    std::string now;
    ASSERT_TRUE(wait_until(
        [&] {
          now = pc.visit(id, 250ms);
          return !now.empty();
        },
        20s))
        << id;
    EXPECT_NE(now, victim) << id;
  }
  const auto failover = ms_since(killed_at);
  std::printf("kill -9 failover (%s): %lld ms\n", to_string(GetParam()).c_str(), failover);
  EXPECT_LT(failover, 8000);
  const auto bad = pc.interleavings();
  EXPECT_TRUE(bad.empty()) << bad.front();
}

TEST_P(cluster_process, a_frozen_owner_is_replaced_and_fences_itself_when_it_thaws) {
  process_cluster pc(3, GetParam());
  ASSERT_TRUE(wait_until([&] { return pc.all_joined(); })) << pc.members_text();
  const auto owner = visit_all(pc, "s");
  const std::string victim = owner.at("s0");
  ASSERT_FALSE(victim.empty());
  node_process& frozen = pc.node(index_of(victim));
  frozen.freeze();
  const auto frozen_at = std::chrono::steady_clock::now();
  // It still accepts TCP while frozen; only missed heartbeats (or its lease) tell. Others take
  // over.
  std::string now;
  ASSERT_TRUE(wait_until(
      [&] {
        now = pc.visit("s0", 250ms);
        return !now.empty();
      },
      20s));
  EXPECT_NE(now, victim);
  const auto takeover = ms_since(frozen_at);
  std::printf("SIGSTOP takeover (%s): %lld ms\n", to_string(GetParam()).c_str(), takeover);
  EXPECT_LT(takeover, 8000);
  // Keep visiting while it is frozen, then thaw it and keep visiting: whatever it had queued
  // must not be handled by its old incarnation alongside the new owner.
  while (std::chrono::steady_clock::now() - frozen_at < 10s) {
    for (const auto& [id, who] : owner)
      (void)pc.send(id);
    std::this_thread::sleep_for(200ms);  // pacing the traffic, not waiting for a result
  }
  frozen.thaw();
  ASSERT_TRUE(wait_until([&] { return pc.all_joined(); }, 20s))
      << "it rejoins: " << pc.members_text();
  for (const auto& [id, who] : owner) {
    ASSERT_TRUE(wait_until([&] { return !pc.visit(id, 1s).empty(); }, 20s)) << id;
  }
  const auto bad = pc.interleavings();
  EXPECT_TRUE(bad.empty()) << bad.front();
}

INSTANTIATE_TEST_SUITE_P(providers, cluster_process,
                         ::testing::Values(provider::embedded, provider::etcd), provider_name);

}  // namespace
}  // namespace hollywood::test
