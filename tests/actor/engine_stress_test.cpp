// SPDX-License-Identifier: MIT
// Multi-threaded stress tests (label `concurrency`, also run under ThreadSanitizer). Each checks
// an exact count: nothing lost, nothing duplicated, nothing reordered per sender.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <hollywood_test/stress.hpp>
#include <hollywood_test/wait.hpp>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using hollywood::test::wait_until;

constexpr int scale = static_cast<int>(hollywood::test::sanitizer_slowdown);

struct item {
  std::uint32_t sender;
  std::uint32_t seq;
};

TEST(engine_stress, eight_senders_times_a_million_messages_arrive_complete_and_in_order) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  constexpr std::uint32_t senders = 8;
  const std::uint32_t per_sender = 1'000'000 / scale;
  auto next = std::make_shared<std::vector<std::uint32_t>>(senders, 0);
  auto disorder = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto received = std::make_shared<std::atomic<std::uint64_t>>(0);
  pid sink = e->spawn_fn(
      [next, disorder, received](context& ctx) {
        if (auto* m = ctx.get_if<item>()) {
          auto& expected = (*next)[m->sender];
          if (m->seq != expected) disorder->fetch_add(1, std::memory_order_relaxed);
          expected = m->seq + 1;
          received->fetch_add(1, std::memory_order_relaxed);
        }
      },
      "sink");
  std::vector<std::thread> threads;
  for (std::uint32_t s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (std::uint32_t i = 0; i < per_sender; ++i)
        e->send(sink, item{s, i});
    });
  }
  for (auto& t : threads)
    t.join();
  ASSERT_TRUE(wait_until([&] { return received->load() == std::uint64_t{senders} * per_sender; },
                         std::chrono::minutes(5)));
  EXPECT_EQ(disorder->load(), 0u);
  EXPECT_EQ(e->stats().dead_letters, 0u);
}

TEST(engine_stress, ten_thousand_actors_each_get_every_message) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  constexpr int actors = 10'000;
  const int rounds = 40 / scale;
  auto handled = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::vector<pid> pids;
  pids.reserve(actors);
  for (int i = 0; i < actors; ++i) {
    pids.push_back(e->spawn_fn(
        [handled, count = 0](context& ctx) mutable {
          if (ctx.is<item>()) {
            ++count;
            handled->fetch_add(1, std::memory_order_relaxed);
          }
        },
        "many"));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        for (int i = t; i < actors; i += 4)
          e->send(pids[static_cast<std::size_t>(i)], item{0, 0});
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const std::uint64_t total = std::uint64_t{actors} * static_cast<std::uint64_t>(rounds);
  ASSERT_TRUE(wait_until([&] { return handled->load() == total; }, std::chrono::minutes(5)));
  EXPECT_EQ(e->pids("many").size(), static_cast<std::size_t>(actors));
  e->shutdown();
  EXPECT_EQ(e->pids("many").size(), 0u);
}

TEST(engine_stress, concurrent_stops_while_sending_lose_nothing) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  // Count every dead letter through a subscriber, and every handled message in the actors.
  auto handled = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto dead = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto stopped_calls = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto started_calls = std::make_shared<std::atomic<std::uint64_t>>(0);
  pid counter = e->spawn_fn(
      [dead](context& ctx) {
        if (auto* d = ctx.get_if<dead_letter_event>(); d != nullptr && d->message->is<item>()) {
          dead->fetch_add(1, std::memory_order_relaxed);
        }
      },
      "deadcount");
  e->subscribe(counter);
  constexpr int actors = 200;
  std::vector<pid> pids;
  for (int i = 0; i < actors; ++i) {
    pids.push_back(e->spawn_fn(
        [handled, stopped_calls, started_calls](context& ctx) {
          if (ctx.is<item>()) handled->fetch_add(1, std::memory_order_relaxed);
          if (ctx.is<started>()) started_calls->fetch_add(1, std::memory_order_relaxed);
          if (ctx.is<stopped>()) stopped_calls->fetch_add(1, std::memory_order_relaxed);
        },
        "victim"));
  }
  const int per_sender = 200'000 / scale;
  std::atomic<std::uint64_t> sent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < per_sender; ++i) {
        e->send(pids[rng() % actors], item{static_cast<std::uint32_t>(t), 0});
        sent.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::thread stopper([&] {
    std::vector<completion> done;
    for (int i = 0; i < actors; ++i) {
      done.push_back(i % 2 == 0 ? e->stop(pids[static_cast<std::size_t>(i)])
                                : e->poison(pids[static_cast<std::size_t>(i)]));
      if (i % 3 == 0) done.push_back(e->stop(pids[static_cast<std::size_t>(i)]));  // twice
    }
    for (auto& c : done)
      c.wait();
  });
  for (auto& t : threads)
    t.join();
  stopper.join();
  // Every message sent was handled or became exactly one dead letter.
  ASSERT_TRUE(wait_until([&] { return handled->load() + dead->load() == sent.load(); },
                         std::chrono::minutes(5)));
  // An actor stopped before its first turn never ran (no producer call, no lifecycle); every
  // one that started got `stopped` exactly once.
  EXPECT_EQ(stopped_calls->load(), started_calls->load());
  EXPECT_EQ(e->pids("victim").size(), 0u);
}

TEST(engine_stress, ping_pong_between_many_pairs_under_locality_scheduling) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  struct ball {
    int left;
  };
  constexpr int pairs = 64;
  const int rounds = 20'000 / scale;
  auto finished = std::make_shared<std::atomic<int>>(0);
  for (int p = 0; p < pairs; ++p) {
    pid echo = e->spawn_fn(
        [](context& ctx) {
          if (auto* b = ctx.get_if<ball>()) ctx.respond(ball{b->left});
        },
        "echo");
    pid player = e->spawn_fn(
        [echo, finished](context& ctx) {
          if (auto* b = ctx.get_if<ball>()) {
            if (b->left == 0) {
              finished->fetch_add(1);
            } else {
              ctx.send(echo, ball{b->left - 1});
            }
          }
        },
        "player");
    e->send(player, ball{rounds});
  }
  ASSERT_TRUE(wait_until([&] { return finished->load() == pairs; }, std::chrono::minutes(5)));
}

TEST(engine_stress, requests_from_many_threads_and_actors_each_get_their_answer) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  struct q {
    int n;
  };
  struct a {
    int n;
  };
  pid server = e->spawn_fn(
      [](context& ctx) {
        if (auto* m = ctx.get_if<q>()) ctx.respond(a{m->n + 1});
      },
      "server");
  auto correct = std::make_shared<std::atomic<int>>(0);
  constexpr int clients = 16;
  const int each = 2'000 / scale;
  for (int c = 0; c < clients; ++c) {
    pid client = e->spawn_fn(
        [server, correct, each, n = 0](context& ctx) mutable {
          auto issue = [&](context& self) {
            const int v = n;
            self.request(server, q{v}, std::chrono::seconds(60),
                         [correct, v](context& c2, hollywood::expected<message> r) {
                           if (r && r->get<a>().n == v + 1) correct->fetch_add(1);
                           c2.send(c2.self(), q{-1});  // go on
                         });
          };
          if (ctx.is<started>() || (ctx.is<q>() && ++n < each)) issue(ctx);
        },
        "client");
    (void)client;
  }
  std::vector<std::thread> threads;
  std::atomic<int> thread_correct{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < each / 4; ++i) {
        auto r = e->request(server, q{i}, std::chrono::seconds(60)).get();
        if (r && r->get<a>().n == i + 1) thread_correct.fetch_add(1);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(thread_correct.load(), 2 * (each / 4));
  ASSERT_TRUE(
      wait_until([&] { return correct->load() == clients * each; }, std::chrono::minutes(5)));
}

}  // namespace
