// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <thread>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::recorder;
using hollywood::test::wait_until;

struct query {
  int n = 0;
};
struct answer {
  int n = 0;
};
struct ask {
  pid server;
  std::chrono::milliseconds timeout;
};

std::unique_ptr<engine> make_engine() {
  return engine::create(engine_config{}.with_workers(2)).value();
}

pid spawn_doubler(engine& e) {
  return e.spawn_fn(
      [](context& ctx) {
        if (auto* q = ctx.get_if<query>()) ctx.respond(answer{q->n * 2});
      },
      "doubler");
}

TEST(request, a_blocking_request_returns_the_response) {
  auto e = make_engine();
  pid server = spawn_doubler(*e);
  auto r = e->request(server, query{21}, 30s);
  auto reply = r.get();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->get<answer>().n, 42);
}

TEST(request, a_request_times_out_counting_from_the_call) {
  auto e = make_engine();
  pid mute = e->spawn_fn([](context&) {}, "mute");
  const auto start = std::chrono::steady_clock::now();
  auto r = e->request(mute, query{1}, 50ms);
  auto reply = r.get();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), hollywood::errc::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(request, the_deadline_passes_even_when_nobody_waits) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> release{false};
  std::atomic<bool> answered{false};
  pid slow = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<query>()) {
          while (!release.load())
            std::this_thread::yield();
          ctx.respond(answer{1});
          answered = true;
        }
      },
      "slow");
  auto r = e->request(slow, query{}, 20ms);
  ASSERT_TRUE(wait_until([&] { return r.ready(); }));  // the deadline passed; no response yet
  release = true;
  ASSERT_TRUE(wait_until([&] { return answered.load(); }));
  auto reply = r.get();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), hollywood::errc::timeout);
  // The late response is a dead letter, not silently dropped.
  EXPECT_TRUE(events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::late_response && d.message->is<answer>();
  }));
}

TEST(request, a_second_response_becomes_a_dead_letter_and_never_blocks) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> done{false};
  pid twice = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<query>()) {
          ctx.respond(answer{1});
          ctx.respond(answer{2});
          done = true;
        }
      },
      "twice");
  auto r = e->request(twice, query{}, 30s);
  auto reply = r.get();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->get<answer>().n, 1);
  ASSERT_TRUE(wait_until([&] { return done.load(); }));
  EXPECT_TRUE(events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::late_response && d.message->get<answer>().n == 2;
  }));
}

TEST(request, a_request_to_an_unknown_target_fails_at_once) {
  auto e = make_engine();
  auto r = e->request(pid("local", "nobody/1"), query{}, 30s);
  EXPECT_TRUE(r.ready());
  auto reply = r.get();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), hollywood::errc::unknown_target);
  EXPECT_EQ(e->request(pid{}, query{}, 30s).get().error(), hollywood::errc::unknown_target);
}

TEST(request, get_a_second_time_reports_cancelled) {
  auto e = make_engine();
  auto r = e->request(spawn_doubler(*e), query{1}, 30s);
  ASSERT_TRUE(r.get());
  EXPECT_EQ(r.get().error(), hollywood::errc::cancelled);
}

TEST(request, the_responder_is_released_when_the_response_is_dropped) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> release{false};
  pid slow = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<query>()) {
          while (!release.load())
            std::this_thread::yield();
          ctx.respond(answer{1});
        }
      },
      "slow");
  { auto abandoned = e->request(slow, query{}, 30s); }
  release = true;
  EXPECT_TRUE(events.wait_for<dead_letter_event>(
      [](const dead_letter_event& d) { return d.reason == dead_letter_reason::late_response; }));
}

TEST(request, an_actor_request_runs_its_continuation_on_the_requesting_actor) {
  auto e = make_engine();
  pid server = spawn_doubler(*e);
  std::atomic<int> got{0};
  std::atomic<bool> same_actor{false};
  pid client = e->spawn_fn(
      [&](context& ctx) {
        if (auto* a = ctx.get_if<ask>()) {
          pid me = ctx.self();
          ctx.request(a->server, query{5}, a->timeout,
                      [&, me](context& c, hollywood::expected<message> r) {
                        same_actor = c.self() == me;
                        if (r) got = r->get<answer>().n;
                      });
        }
      },
      "client");
  e->send(client, ask{server, 30000ms});
  ASSERT_TRUE(wait_until([&] { return got.load() == 10; }));
  EXPECT_TRUE(same_actor.load());
}

TEST(request, an_actor_request_reports_a_timeout_to_its_continuation) {
  auto e = make_engine();
  pid mute = e->spawn_fn([](context&) {}, "mute");
  std::atomic<int> error{0};
  pid client = e->spawn_fn(
      [&](context& ctx) {
        if (auto* a = ctx.get_if<ask>()) {
          ctx.request(a->server, query{}, a->timeout,
                      [&](context&, hollywood::expected<message> r) {
                        error = r ? -1 : static_cast<int>(r.error().value());
                      });
        }
      },
      "client");
  e->send(client, ask{mute, 20ms});
  ASSERT_TRUE(wait_until([&] { return error.load() != 0; }));
  EXPECT_EQ(error.load(), static_cast<int>(hollywood::errc::timeout));
}

TEST(request, an_actor_request_to_an_unknown_target_reports_it) {
  auto e = make_engine();
  std::atomic<int> error{0};
  pid client = e->spawn_fn(
      [&](context& ctx) {
        if (auto* a = ctx.get_if<ask>()) {
          ctx.request(a->server, query{}, a->timeout,
                      [&](context&, hollywood::expected<message> r) {
                        error = r ? -1 : static_cast<int>(r.error().value());
                      });
        }
      },
      "client");
  e->send(client, ask{pid("local", "nobody/1"), 30000ms});
  ASSERT_TRUE(wait_until([&] { return error.load() != 0; }));
  EXPECT_EQ(error.load(), static_cast<int>(hollywood::errc::unknown_target));
}

TEST(request, a_blocking_request_inside_an_actor_is_refused) {
  auto e = make_engine();
  pid server = spawn_doubler(*e);
  std::atomic<int> error{0};
  pid client = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<ask>()) {
          auto r = ctx.engine().request(server, query{1}, 30s);
          auto reply = r.get();
          error = reply ? -1 : static_cast<int>(reply.error().value());
        }
      },
      "client");
  e->send(client, ask{});
  ASSERT_TRUE(wait_until([&] { return error.load() != 0; }));
  // Either refused outright, or the response was already there (never a blocked worker).
  EXPECT_TRUE(error.load() == static_cast<int>(hollywood::errc::blocking_in_actor) ||
              error.load() == -1);
}

TEST(request, many_concurrent_blocking_requests_each_get_their_own_answer) {
  auto e = make_engine();
  pid server = spawn_doubler(*e);
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const int n = t * 1000 + i;
        auto reply = e->request(server, query{n}, 30s).get();
        if (reply && reply->get<answer>().n == 2 * n) correct.fetch_add(1);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(correct.load(), 800);
}

}  // namespace
