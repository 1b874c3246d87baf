// SPDX-License-Identifier: MIT
// Conservation under crashes (label `concurrency`, also run under ThreadSanitizer): every message
// sent is handled or becomes exactly one dead letter, however actors crash, restart and stop.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <hollywood_test/stress.hpp>
#include <hollywood_test/wait.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using hollywood::test::wait_until;

constexpr int scale = static_cast<int>(hollywood::test::sanitizer_slowdown);

struct item {
  bool crash;
};

struct counters {
  std::atomic<std::uint64_t> handled{0};
  std::atomic<std::uint64_t> dead{0};
  std::atomic<std::uint64_t> crashed{0};  // dead letters with reason `crashed`
  std::mutex mu;
  std::vector<pid> exceeded;
};

TEST(supervision_stress, crashing_actors_lose_and_duplicate_nothing) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  auto c = std::make_shared<counters>();
  pid observer = e->spawn_fn(
      [c](context& ctx) {
        if (auto* d = ctx.get_if<dead_letter_event>(); d != nullptr && d->message->is<item>()) {
          c->dead.fetch_add(1, std::memory_order_relaxed);
          if (d->reason == dead_letter_reason::crashed) {
            c->crashed.fetch_add(1, std::memory_order_relaxed);
          }
        }
        if (auto* x = ctx.get_if<actor_max_restarts_exceeded_event>()) {
          std::lock_guard lock(c->mu);
          c->exceeded.push_back(x->actor);
        }
      },
      "observer");
  e->subscribe(observer);

  constexpr int actors = 1000;
  std::vector<pid> pids;
  pids.reserve(actors);
  for (int i = 0; i < actors; ++i) {
    pids.push_back(e->spawn_fn(
        [c](context& ctx) {
          if (auto* m = ctx.get_if<item>()) {
            if (m->crash) throw std::runtime_error("random crash");
            c->handled.fetch_add(1, std::memory_order_relaxed);
          }
        },
        "crashy",
        spawn_options{}.with_max_restarts(3).with_restart_delay(std::chrono::milliseconds(1))));
  }

  const int per_thread = 250'000 / scale;
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> crashes_sent{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 1);
      for (int i = 0; i < per_thread; ++i) {
        const bool crash = rng() % 250 == 0;
        e->send(pids[rng() % actors], item{crash});
        if (crash) crashes_sent.fetch_add(1, std::memory_order_relaxed);
        sent.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : senders)
    t.join();

  ASSERT_TRUE(wait_until([&] { return c->handled.load() + c->dead.load() == sent.load(); },
                         std::chrono::minutes(5)))
      << "handled " << c->handled.load() << " + dead " << c->dead.load() << " != sent "
      << sent.load();
  // The accounting stays exact: no late arrivals after the sums met.
  EXPECT_EQ(c->handled.load() + c->dead.load(), sent.load());
  std::vector<pid> exceeded;
  {
    std::lock_guard lock(c->mu);
    exceeded = c->exceeded;
  }
  // Crashes are dead letters with reason `crashed`: 4 per actor that exceeded 3 restarts, at most
  // 3 per survivor. (A crash message reaching an actor that already stopped is `stopped`.)
  EXPECT_LE(c->crashed.load(), crashes_sent.load());
  EXPECT_GE(c->crashed.load(), 4 * exceeded.size());
  EXPECT_LE(c->crashed.load(), 4 * exceeded.size() + 3 * (actors - exceeded.size()));
  EXPECT_GT(exceeded.size(), 0u) << "the test should push some actors past their limit";
  EXPECT_LT(exceeded.size(), static_cast<std::size_t>(actors));
  for (const pid& p : exceeded)
    EXPECT_FALSE(e->lookup(p.id())) << p.to_string();
  EXPECT_EQ(e->pids("crashy").size(), actors - exceeded.size());
  std::printf(
      "conservation: sent %llu = handled %llu + dead letters %llu (%llu crashed); "
      "%zu of %d actors exceeded their restarts\n",
      static_cast<unsigned long long>(sent.load()),
      static_cast<unsigned long long>(c->handled.load()),
      static_cast<unsigned long long>(c->dead.load()),
      static_cast<unsigned long long>(c->crashed.load()), exceeded.size(), actors);
}

}  // namespace
