// SPDX-License-Identifier: MIT
// The handler-latency middleware: per-kind histograms, sampling, and scrapes while actors run.
#include <hollywood/actor.hpp>
#include <hollywood/metrics.hpp>

#include <gtest/gtest.h>

#include <hollywood_test/exposition.hpp>
#include <hollywood_test/wait.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hollywood;
using namespace std::chrono_literals;
using test::exposition;
using test::wait_until;

struct work {
  int spin_us = 0;
};
struct boom {};

constexpr const char* family = "hollywood_actor_handler_seconds";

std::unique_ptr<actor::engine> make_engine() {
  return actor::engine::create(actor::engine_config{}.with_workers(2)).value();
}

/// The handler that `work` runs: busy for its `spin_us`.
void handle(actor::context& ctx) {
  if (auto* w = ctx.get_if<work>()) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(w->spin_us);
    while (std::chrono::steady_clock::now() < until) {
      // a handler that takes a known time
    }
  } else if (ctx.is<boom>()) {
    throw std::runtime_error("boom");
  }
}

exposition scrape(const metrics::registry& reg) {
  auto m = exposition::parse(reg.exposition());
  EXPECT_TRUE(m) << m.error;
  return m ? *m : exposition{};
}

double timed(const metrics::registry& reg, const std::string& kind) {
  return scrape(reg).value(std::string(family) + "_count", {{"kind", kind}}).value_or(-1);
}

TEST(handler_latency, every_timed_run_lands_in_its_kinds_buckets) {
  metrics::registry reg;
  metrics::handler_latency latency(reg, {.every = 1});
  auto e = make_engine();
  const auto opts = actor::spawn_options{}.with_middleware({latency.middleware()});
  actor::pid fast = e->spawn_fn(handle, "fast", opts);
  actor::pid slow = e->spawn_fn(handle, "slow", opts);
  for (int i = 0; i < 20; ++i)
    e->send(fast, work{0});
  for (int i = 0; i < 3; ++i)
    e->send(slow, work{3000});
  e->poison(fast).wait();
  e->poison(slow).wait();
  const exposition m = scrape(reg);
  EXPECT_EQ(m.types.at(family), "histogram");
  EXPECT_EQ(m.value(std::string(family) + "_count", {{"kind", "fast"}}), 20)
      << "lifecycle messages are not timed";
  EXPECT_EQ(m.value(std::string(family) + "_count", {{"kind", "slow"}}), 3);
  // 3 ms handlers: none at or below 2.5 ms, all at or below 5 ms.
  EXPECT_EQ(m.value(std::string(family) + "_bucket", {{"kind", "slow"}, {"le", "0.0025"}}), 0);
  EXPECT_EQ(m.value(std::string(family) + "_bucket", {{"kind", "slow"}, {"le", "0.005"}}), 3);
  EXPECT_GE(m.value(std::string(family) + "_sum", {{"kind", "slow"}}).value_or(0), 0.009);
}

TEST(handler_latency, a_busy_actor_is_sampled_one_message_in_every) {
  metrics::registry reg;
  // A quiet gap no run reaches: only the countdown decides.
  metrics::handler_latency latency(reg, {.every = 64, .quiet_gap = std::chrono::hours(1)});
  auto e = make_engine();
  actor::pid a =
      e->spawn_fn(handle, "busy", actor::spawn_options{}.with_middleware({latency.middleware()}));
  constexpr int sent = 1000;
  for (int i = 0; i < sent; ++i)
    e->send(a, work{0});
  e->poison(a).wait();
  // The first two are timed (the first follows the actor's start, a quiet period), then one in 64.
  EXPECT_EQ(timed(reg, "busy"), 2 + (sent - 2) / 64);
}

TEST(handler_latency, a_quiet_actor_has_every_message_timed) {
  metrics::registry reg;
  metrics::handler_latency latency(reg, {.every = 64, .quiet_gap = 0ns});
  auto e = make_engine();
  actor::pid a =
      e->spawn_fn(handle, "quiet", actor::spawn_options{}.with_middleware({latency.middleware()}));
  for (int i = 0; i < 10; ++i)
    e->send(a, work{0});
  e->poison(a).wait();
  EXPECT_EQ(timed(reg, "quiet"), 10);
}

TEST(handler_latency, a_handler_that_throws_is_not_counted_and_sampling_goes_on) {
  metrics::registry reg;
  metrics::handler_latency latency(reg, {.every = 1});
  auto e = make_engine();
  actor::pid a = e->spawn_fn(
      handle, "flaky",
      actor::spawn_options{}.with_middleware({latency.middleware()}).with_restart_delay(0ms));
  e->send(a, work{0});
  e->send(a, boom{});
  e->send(a, work{0});
  ASSERT_TRUE(wait_until([&] { return timed(reg, "flaky") == 2; }));
  e->poison(a).wait();
  EXPECT_EQ(timed(reg, "flaky"), 2);
}

TEST(handler_latency, counts_add_up_across_workers_while_scrapes_run_and_never_go_down) {
  metrics::registry reg;
  metrics::handler_latency latency(reg, {.every = 1});
  auto e = make_engine();
  const auto opts = actor::spawn_options{}.with_middleware({latency.middleware()});
  std::vector<actor::pid> actors;
  for (int i = 0; i < 8; ++i)
    actors.push_back(e->spawn_fn(handle, "many", opts));
  constexpr int per_sender = 2000;
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < per_sender; ++i)
        e->send(actors[static_cast<std::size_t>(i) % actors.size()], work{0});
    });
  }
  double last = 0;
  const double total = 2.0 * per_sender;
  ASSERT_TRUE(wait_until([&] {
    const double now = std::max(0.0, timed(reg, "many"));
    EXPECT_GE(now, last) << "a scrape never sees fewer runs than the one before";
    last = now;
    return now >= total;
  }));
  for (auto& s : senders)
    s.join();
  for (const auto& a : actors)
    e->poison(a).wait();
  EXPECT_EQ(timed(reg, "many"), total);
}

}  // namespace
