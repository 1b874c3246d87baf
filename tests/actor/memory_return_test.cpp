// SPDX-License-Identifier: MIT
// memory_return: an engine that idles after work hands back the inbox blocks kept for reuse,
// once per idle period, and never with memory_return::keep.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/wait.hpp>
#include <memory>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::wait_until;

struct ping {};

std::unique_ptr<engine> make(memory_return policy) {
  return engine::create(engine_config{}.with_workers(2).with_memory_return(policy, 20ms)).value();
}

/// Spawns `n` actors from this (plain) thread and sends each one message: every inbox's first
/// block comes from this thread, and goes back to it once handled.
void burst(engine& e, int n, std::atomic<int>& handled) {
  std::vector<pid> actors;
  for (int i = 0; i < n; ++i) {
    actors.push_back(e.spawn_fn(
        [&handled](context& ctx) {
          if (ctx.is<ping>()) handled.fetch_add(1, std::memory_order_relaxed);
        },
        "burst"));
  }
  for (const pid& a : actors)
    e.send(a, ping{});
}

std::uint64_t returns(const engine& e) {
  return e.stats().memory_returns;
}

TEST(memory_return, an_idle_engine_hands_back_what_a_burst_left_once_per_idle_period) {
  auto e = make(memory_return::when_idle);
  // The engine's own actors started on this thread: no worker has run anything yet, so there is
  // no idle period to return memory after.
  EXPECT_FALSE(wait_until([&] { return returns(*e) > 0; }, 200ms));
  const engine_stats before = e->stats();
  std::atomic<int> handled{0};
  burst(*e, 200, handled);
  ASSERT_TRUE(wait_until([&] { return handled.load() == 200; }));
  ASSERT_TRUE(wait_until([&] { return returns(*e) > before.memory_returns; }));
  const engine_stats after = e->stats();
  // At least the block of the last message sent: this thread never took it back.
  EXPECT_GT(after.memory_returned_bytes, before.memory_returned_bytes);
  // No work, no new idle period: nothing more to return however long it stays idle.
  EXPECT_FALSE(wait_until([&] { return returns(*e) > after.memory_returns; }, 200ms));
  // The next burst is served as before, and returned after in turn.
  burst(*e, 200, handled);
  ASSERT_TRUE(wait_until([&] { return handled.load() == 400; }));
  EXPECT_TRUE(wait_until([&] { return returns(*e) > after.memory_returns; }));
}

TEST(memory_return, keep_never_returns_memory) {
  auto e = make(memory_return::keep);
  std::atomic<int> handled{0};
  burst(*e, 200, handled);
  ASSERT_TRUE(wait_until([&] { return handled.load() == 200; }));
  EXPECT_FALSE(wait_until([&] { return returns(*e) > 0; }, 200ms));
  EXPECT_EQ(e->stats().memory_returned_bytes, 0u);
}

TEST(memory_return, a_delay_that_is_not_positive_is_refused) {
  const auto config = engine_config{}.with_memory_return(memory_return::when_idle, 0ms);
  EXPECT_NE(config.problem().find("return_memory_after"), std::string::npos);
  EXPECT_FALSE(engine::create(config));
}

}  // namespace
