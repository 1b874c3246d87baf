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

/// A registry, the middleware with `sampling` serving it, and an engine (destroyed first, so its
/// actors stop before the middleware goes).
struct timed_engine {
  explicit timed_engine(metrics::latency_sampling sampling)
      : latency(reg, sampling),
        e(actor::engine::create(actor::engine_config{}.with_workers(2)).value()) {}

  /// Spawns an actor of `kind` running handle(), timed.
  actor::pid spawn(const char* kind, const actor::spawn_options& o = {}) {
    return e->spawn_fn(handle, kind, o.with_middleware({latency.middleware()}));
  }
  /// The histogram's count for `kind` (-1 before its first timed run).
  [[nodiscard]] double timed_runs(const std::string& kind) const {
    return scrape(reg).value(std::string(family) + "_count", {{"kind", kind}}).value_or(-1);
  }

  metrics::registry reg;
  metrics::handler_latency latency;
  std::unique_ptr<actor::engine> e;
};

TEST(handler_latency, every_timed_run_lands_in_its_kinds_buckets) {
  timed_engine t({.every = 1});
  actor::pid fast = t.spawn("fast");
  actor::pid slow = t.spawn("slow");
  for (int i = 0; i < 20; ++i)
    t.e->send(fast, work{0});
  for (int i = 0; i < 3; ++i)
    t.e->send(slow, work{3000});
  t.e->poison(fast).wait();
  t.e->poison(slow).wait();
  const exposition m = scrape(t.reg);
  EXPECT_EQ(m.types.at(family), "histogram");
  EXPECT_EQ(m.value(std::string(family) + "_count", {{"kind", "fast"}}), 20)
      << "lifecycle messages are not timed";
  EXPECT_EQ(m.value(std::string(family) + "_count", {{"kind", "slow"}}), 3);
  // Handlers that spin 3 ms take at least that (a preempted one longer): none at or below 2.5 ms.
  EXPECT_EQ(m.value(std::string(family) + "_bucket", {{"kind", "slow"}, {"le", "0.0025"}}), 0);
  EXPECT_EQ(m.value(std::string(family) + "_bucket", {{"kind", "slow"}, {"le", "+Inf"}}), 3);
  EXPECT_GE(m.value(std::string(family) + "_sum", {{"kind", "slow"}}).value_or(0), 0.009);
  // Every advertised bound is a bucket, then +Inf.
  std::size_t buckets = 0;
  for (const auto& s : m.samples) {
    if (s.name == std::string(family) + "_bucket" && s.labels.at("kind") == "fast") ++buckets;
  }
  EXPECT_EQ(buckets, metrics::handler_latency_buckets().size() + 1);
}

TEST(handler_latency, a_busy_actor_is_sampled_one_message_in_every) {
  // A quiet gap no run reaches: only the countdown decides.
  timed_engine t({.every = 64, .quiet_gap = std::chrono::hours(1)});
  actor::pid a = t.spawn("busy");
  constexpr int sent = 1000;
  for (int i = 0; i < sent; ++i)
    t.e->send(a, work{0});
  t.e->poison(a).wait();
  // The first two are timed (the first follows the actor's start, a quiet period), then one in 64.
  EXPECT_EQ(t.timed_runs("busy"), 2 + (sent - 2) / 64);
}

TEST(handler_latency, a_quiet_actor_has_every_message_timed) {
  timed_engine t({.every = 64, .quiet_gap = 0ns});
  actor::pid a = t.spawn("quiet");
  for (int i = 0; i < 10; ++i)
    t.e->send(a, work{0});
  t.e->poison(a).wait();
  EXPECT_EQ(t.timed_runs("quiet"), 10);
}

TEST(handler_latency, a_handler_that_throws_is_not_counted_and_sampling_goes_on) {
  timed_engine t({.every = 1});
  actor::pid a = t.spawn("flaky", actor::spawn_options{}.with_restart_delay(0ms));
  t.e->send(a, work{0});
  t.e->send(a, boom{});
  t.e->send(a, work{0});
  ASSERT_TRUE(wait_until([&] { return t.timed_runs("flaky") == 2; }));
  t.e->poison(a).wait();
  EXPECT_EQ(t.timed_runs("flaky"), 2);
}

TEST(handler_latency, counts_add_up_across_workers_while_scrapes_run_and_never_go_down) {
  timed_engine t({.every = 1});
  std::vector<actor::pid> actors;
  for (int i = 0; i < 8; ++i)
    actors.push_back(t.spawn("many"));
  constexpr int per_sender = 2000;
  std::vector<std::thread> senders;
  for (int s = 0; s < 2; ++s) {
    senders.emplace_back([&] {
      for (int i = 0; i < per_sender; ++i)
        t.e->send(actors[static_cast<std::size_t>(i) % actors.size()], work{0});
    });
  }
  double last = 0;
  const double total = 2.0 * per_sender;
  ASSERT_TRUE(wait_until([&] {
    const double now = std::max(0.0, t.timed_runs("many"));
    EXPECT_GE(now, last) << "a scrape never sees fewer runs than the one before";
    last = now;
    return now >= total;
  }));
  for (auto& s : senders)
    s.join();
  for (const auto& a : actors)
    t.e->poison(a).wait();
  EXPECT_EQ(t.timed_runs("many"), total);
}

}  // namespace
