// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <hollywood_test/recorder.hpp>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::recorder;
using hollywood::test::wait_until;

struct job {
  int n = 0;
  bool fail = false;
};

struct shared_log {
  std::mutex mu;
  std::vector<int> handled;
  std::atomic<int> instances{0};
  std::atomic<int> stopped{0};
};

class fragile : public receiver {
 public:
  explicit fragile(std::shared_ptr<shared_log> log) : log_(std::move(log)) {}
  void receive(context& ctx) override {
    if (ctx.is<initialized>()) log_->instances.fetch_add(1);
    if (ctx.is<stopped>()) log_->stopped.fetch_add(1);
    if (auto* j = ctx.get_if<job>()) {
      if (j->fail) throw std::runtime_error("job " + std::to_string(j->n) + " failed");
      std::lock_guard lock(log_->mu);
      log_->handled.push_back(j->n);
    }
  }

 private:
  std::shared_ptr<shared_log> log_;
};

spawn_options quick_restarts(std::uint32_t max = 3) {
  return spawn_options{}.with_restart_delay(1ms).with_max_restarts(max);
}

TEST(restart, a_crash_restarts_the_actor_with_a_fresh_instance) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  auto log = std::make_shared<shared_log>();
  pid p = e->spawn(make_producer<fragile>(log), "fragile", quick_restarts());
  e->send(p, job{1, true});
  e->send(p, job{2});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(log->mu);
    return log->handled.size() == 1;
  }));
  EXPECT_EQ(log->instances.load(), 2);
  EXPECT_EQ(log->stopped.load(), 1);  // the broken instance got `stopped` once
  ASSERT_TRUE(events.wait_count<actor_restarted_event>(1));
  auto ev = events.all<actor_restarted_event>().front();
  EXPECT_EQ(ev.actor, p);
  EXPECT_EQ(ev.restarts, 1u);
  EXPECT_NE(ev.reason.find("std::runtime_error"), std::string::npos);
  EXPECT_NE(ev.reason.find("job 1 failed"), std::string::npos);
}

TEST(restart, the_failing_message_becomes_a_dead_letter_with_the_reason) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  auto log = std::make_shared<shared_log>();
  pid p = e->spawn(make_producer<fragile>(log), "fragile", quick_restarts());
  e->send(p, job{7, true});
  ASSERT_TRUE(events.wait_for<dead_letter_event>([&](const dead_letter_event& d) {
    return d.target == p && d.reason == dead_letter_reason::crashed &&
           d.message->get<job>().n == 7 && d.detail.find("job 7 failed") != std::string::npos;
  }));
}

TEST(restart, messages_behind_the_crash_reach_the_new_instance_in_order) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  auto log = std::make_shared<shared_log>();
  pid p =
      e->spawn(make_producer<fragile>(log), "fragile", spawn_options{}.with_restart_delay(20ms));
  e->send(p, job{0, true});
  for (int i = 1; i <= 100; ++i)
    e->send(p, job{i});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(log->mu);
    return log->handled.size() == 100;
  }));
  std::lock_guard lock(log->mu);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(log->handled[static_cast<std::size_t>(i)], i + 1);
}

TEST(restart, exceeding_max_restarts_stops_the_actor_and_the_process_lives_on) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  auto log = std::make_shared<shared_log>();
  pid p = e->spawn(make_producer<fragile>(log), "fragile", quick_restarts(2));
  for (int i = 0; i < 3; ++i)
    e->send(p, job{i, true});
  for (int i = 3; i < 6; ++i)
    e->send(p, job{i});
  ASSERT_TRUE(events.wait_count<actor_max_restarts_exceeded_event>(1));
  auto ev = events.all<actor_max_restarts_exceeded_event>().front();
  EXPECT_EQ(ev.actor, p);
  EXPECT_NE(ev.reason.find("job 2 failed"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return !e->lookup(p.id()); }));
  // The three jobs behind the last crash are dead letters, not lost.
  ASSERT_TRUE(wait_until([&] {
    int stopped_jobs = 0;
    for (const auto& d : events.all<dead_letter_event>()) {
      if (d.reason == dead_letter_reason::stopped && d.message->is<job>()) ++stopped_jobs;
    }
    return stopped_jobs == 3;
  }));
  EXPECT_EQ(log->instances.load(), 3);
  EXPECT_EQ(log->stopped.load(), 3);
  EXPECT_TRUE(events.wait_count<actor_stopped_event>(1));
  EXPECT_EQ(e->stats().max_restarts_exceeded, 1u);
  // The engine is fine.
  pid other = e->spawn_fn([](context&) {}, "other");
  EXPECT_TRUE(other);
}

TEST(restart, actors_spawned_without_options_have_the_default_policy) {
  // The overloads without options skip building a spawn_options; they must still mean its
  // defaults, for top-level actors and children alike.
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  auto top_log = std::make_shared<shared_log>();
  auto child_log = std::make_shared<shared_log>();
  pid top = e->spawn(make_producer<fragile>(top_log), "fragile");
  std::promise<pid> child_promise;
  pid parent = e->spawn_fn(
      [&, spawned = false](context& ctx) mutable {
        if (ctx.is<started>() && !spawned) {
          spawned = true;
          child_promise.set_value(ctx.spawn_child(make_producer<fragile>(child_log), "kid"));
        }
      },
      "parent");
  pid child = child_promise.get_future().get();
  ASSERT_TRUE(top);
  ASSERT_TRUE(child);
  EXPECT_EQ(child.id().rfind(std::string(parent.id()) + "/kid/", 0), 0u) << child.id();
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i <= default_max_restarts; ++i) {
    e->send(top, job{static_cast<int>(i), true});
    e->send(child, job{static_cast<int>(i), true});
  }
  ASSERT_TRUE(events.wait_count<actor_max_restarts_exceeded_event>(2));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(top_log->instances.load(), static_cast<int>(default_max_restarts) + 1);
  EXPECT_EQ(child_log->instances.load(), static_cast<int>(default_max_restarts) + 1);
  // Each restart waited the default delay (both actors restart side by side).
  EXPECT_GE(took, default_max_restarts * default_restart_delay);
  ASSERT_TRUE(wait_until([&] { return !e->lookup(top.id()) && !e->lookup(child.id()); }));
}

TEST(restart, a_throw_in_started_is_a_crash_too) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  auto attempts = std::make_shared<std::atomic<int>>(0);
  pid p = e->spawn(make_fn_producer([attempts](context& ctx) {
                     if (ctx.is<started>() && attempts->fetch_add(1) == 0) throw 42;
                   }),
                   "flaky", quick_restarts());
  ASSERT_TRUE(events.wait_for<actor_restarted_event>(
      [&](const actor_restarted_event& ev) { return ev.actor == p && ev.reason == "int"; }));
  ASSERT_TRUE(wait_until([&] { return attempts->load() == 2; }));
}

TEST(restart, a_throw_in_started_restarts_at_once_without_waiting_for_a_message) {
  // With no restart delay the crashed instance is replaced in a later turn of its own; nothing
  // else has to arrive first. Past its restarts it stops, and a stop it asked for completes.
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  auto attempts = std::make_shared<std::atomic<int>>(0);
  pid flaky = e->spawn(make_fn_producer([attempts](context& ctx) {
                         if (ctx.is<started>() && attempts->fetch_add(1) == 0) throw 42;
                       }),
                       "flaky", spawn_options{}.with_restart_delay(0ms));
  ASSERT_TRUE(wait_until([&] { return attempts->load() == 2; }));
  auto stop = std::make_shared<std::mutex>();
  auto asked = std::make_shared<completion>();
  pid doomed = e->spawn(make_fn_producer([stop, asked](context& ctx) {
                          if (ctx.is<started>()) {
                            std::lock_guard lock(*stop);
                            *asked = ctx.stop(ctx.self());
                            throw 42;
                          }
                        }),
                        "doomed", spawn_options{}.with_restart_delay(0ms).with_max_restarts(2));
  ASSERT_TRUE(wait_until([&] { return !e->lookup(doomed.id()); }));
  std::lock_guard lock(*stop);
  EXPECT_TRUE(asked->wait_for(10s));
  EXPECT_TRUE(e->lookup(flaky.id()));
}

TEST(restart, a_producer_that_throws_counts_as_a_crash) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  recorder events(*e);
  e->subscribe(events.pid());
  pid p = e->spawn([]() -> std::unique_ptr<receiver> { throw std::logic_error("no"); }, "broken",
                   quick_restarts(1));
  ASSERT_TRUE(events.wait_for<actor_max_restarts_exceeded_event>(
      [&](const auto& ev) { return ev.actor == p; }));
  EXPECT_TRUE(wait_until([&] { return !e->lookup(p.id()); }));
}

TEST(restart, stats_count_restarts) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  auto log = std::make_shared<shared_log>();
  pid p = e->spawn(make_producer<fragile>(log), "fragile", quick_restarts(5));
  e->send(p, job{1, true});
  e->send(p, job{2, true});
  e->send(p, job{3});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(log->mu);
    return log->handled.size() == 1;
  }));
  for (const auto& a : e->stats().per_actor) {
    if (a.pid == p) {
      EXPECT_EQ(a.restarts, 2u);
    }
  }
}

}  // namespace
