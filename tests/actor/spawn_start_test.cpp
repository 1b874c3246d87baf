// SPDX-License-Identifier: MIT
// Where an actor starts: spawned from a plain thread, `initialized` and `started` run on that
// thread before spawn returns (as in Hollywood); spawned from a handler, on a worker later.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/wait.hpp>
#include <thread>

namespace {

using namespace hollywood::actor;
using hollywood::test::wait_until;

struct ping {};

std::unique_ptr<engine> make_engine() {
  return engine::create(engine_config{}.with_workers(2)).value();
}

TEST(spawn_start, an_actor_spawned_from_a_plain_thread_has_started_on_it_when_spawn_returns) {
  auto e = make_engine();
  std::thread::id started_on;
  bool initialized_first = false;
  bool initialized = false;
  const pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<hollywood::actor::initialized>()) initialized = true;
        if (ctx.is<started>()) {
          initialized_first = initialized;
          started_on = std::this_thread::get_id();
        }
      },
      "starter");
  ASSERT_TRUE(p);
  EXPECT_EQ(started_on, std::this_thread::get_id());
  EXPECT_TRUE(initialized_first);
}

TEST(spawn_start, what_started_sends_to_itself_is_handled_by_a_worker) {
  auto e = make_engine();
  std::atomic<int> pings{0};
  std::atomic<bool> on_spawner{true};
  const auto spawner = std::this_thread::get_id();
  e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<started>()) ctx.send(ctx.self(), ping{});
        if (ctx.is<ping>()) {
          on_spawner = std::this_thread::get_id() == spawner;
          pings.fetch_add(1);
        }
      },
      "self-sender");
  ASSERT_TRUE(wait_until([&] { return pings.load() == 1; }));
  EXPECT_FALSE(on_spawner.load());
}

TEST(spawn_start, actors_that_spawn_the_next_one_in_started_do_not_start_inside_each_other) {
  // Started inside the spawning handler, a chain this long would nest 100k starts on one stack.
  constexpr int length = 100'000;
  auto e = make_engine();
  std::atomic<int> started_count{0};
  std::function<void()> spawn_next = [&] {
    e->spawn_fn(
        [&](context& ctx) {
          if (ctx.is<started>() && started_count.fetch_add(1) + 1 < length) spawn_next();
        },
        "link");
  };
  spawn_next();
  ASSERT_TRUE(wait_until([&] { return started_count.load() == length; }));
}

}  // namespace
