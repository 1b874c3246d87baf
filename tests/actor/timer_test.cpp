// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::recorder;
using hollywood::test::wait_until;

struct tick {
  int n = 0;
};
struct begin {};

std::unique_ptr<engine> make_engine() {
  return engine::create(engine_config{}.with_workers(2)).value();
}

TEST(timer, send_after_delivers_once_after_the_delay) {
  auto e = make_engine();
  recorder rec(*e);
  const auto start = std::chrono::steady_clock::now();
  timer t = e->send_after(rec.pid(), tick{1}, 20ms);
  ASSERT_TRUE(rec.wait_count<tick>(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  ASSERT_TRUE(wait_until([&] { return !t.active(); }));
  t.stop();  // harmless after firing
  t.stop();
}

TEST(timer, a_stopped_send_after_never_fires) {
  auto e = make_engine();
  recorder rec(*e);
  timer cancelled = e->send_after(rec.pid(), tick{1}, 30ms);
  cancelled.stop();
  EXPECT_FALSE(cancelled.active());
  e->send_after(rec.pid(), tick{2}, 60ms);  // fires after the cancelled one would have
  ASSERT_TRUE(rec.wait_count<tick>(1));
  EXPECT_EQ(rec.all<tick>().front().n, 2);
}

TEST(timer, send_repeat_delivers_until_stopped) {
  auto e = make_engine();
  recorder rec(*e);
  timer t = e->send_repeat(rec.pid(), tick{}, 5ms);
  ASSERT_TRUE(rec.wait_count<tick>(3));
  EXPECT_TRUE(t.active());
  t.stop();
  EXPECT_FALSE(t.active());
  // The timer thread sends ticks and markers in order: once a marker sent after stop() arrived,
  // every tick sent before stop() has too. At most one more tick (racing with stop()) may follow.
  e->send_after(rec.pid(), begin{}, 1ms);
  ASSERT_TRUE(rec.wait_count<begin>(1));
  const auto seen = rec.count<tick>();
  e->send_after(rec.pid(), begin{}, 30ms);
  ASSERT_TRUE(rec.wait_count<begin>(2));
  EXPECT_LE(rec.count<tick>(), seen + 1);
}

TEST(timer, timers_started_by_an_actor_stop_when_it_stops) {
  auto e = make_engine();
  recorder rec(*e);
  timer inner;
  std::atomic<bool> armed{false};
  pid owner = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<begin>()) {
          inner = ctx.send_repeat(rec.pid(), tick{}, 5ms);
          armed = true;
        }
      },
      "owner");
  e->send(owner, begin{});
  ASSERT_TRUE(wait_until([&] { return armed.load(); }));
  ASSERT_TRUE(rec.wait_count<tick>(2));
  ASSERT_TRUE(e->poison(owner).wait());
  EXPECT_FALSE(inner.active());
  EXPECT_EQ(rec.senders<tick>().front(), owner);
}

TEST(timer, a_timer_to_a_stopped_actor_becomes_a_dead_letter) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  pid p = e->spawn_fn([](context&) {}, "target");
  ASSERT_TRUE(e->stop(p).wait());
  e->send_after(p, tick{4}, 1ms);
  EXPECT_TRUE(events.wait_for<dead_letter_event>(
      [&](const dead_letter_event& d) { return d.target == p && d.message->is<tick>(); }));
}

}  // namespace
