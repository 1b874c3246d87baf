// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
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
struct grow {};
struct report {};

std::unique_ptr<engine> make_engine() {
  return engine::create(engine_config{}.with_workers(2)).value();
}

/// A shared tally of what instances of an actor saw.
struct tally {
  std::mutex mu;
  std::vector<int> handled;
  std::atomic<int> instances{0};
  std::atomic<int> stopped{0};
  std::vector<std::chrono::steady_clock::time_point> starts;
  std::size_t handled_count() {
    std::lock_guard lock(mu);
    return handled.size();
  }
};

producer worker(std::shared_ptr<tally> t) {
  return make_fn_producer([t](context& ctx) {
    if (ctx.is<initialized>()) {
      t->instances.fetch_add(1);
      std::lock_guard lock(t->mu);
      t->starts.push_back(std::chrono::steady_clock::now());
    }
    if (ctx.is<stopped>()) t->stopped.fetch_add(1);
    if (auto* j = ctx.get_if<job>()) {
      if (j->fail) throw std::runtime_error("job " + std::to_string(j->n));
      std::lock_guard lock(t->mu);
      t->handled.push_back(j->n);
    }
  });
}

// -- restarts ---------------------------------------------------------------------

TEST(supervision, exponential_backoff_doubles_the_delay_up_to_the_cap) {
  auto e = make_engine();
  auto t = std::make_shared<tally>();
  pid p = e->spawn(worker(t), "backoff",
                   spawn_options{}
                       .with_restart_delay(20ms)
                       .with_backoff(restart_backoff::exponential, 50ms)
                       .with_max_restarts(10));
  for (int i = 0; i < 4; ++i)
    e->send(p, job{i, true});
  e->send(p, job{99});
  ASSERT_TRUE(wait_until([&] { return t->handled_count() == 1; }));
  std::lock_guard lock(t->mu);
  ASSERT_EQ(t->starts.size(), 5u);
  // Delays: 20, 40, 50 (capped from 80), 50 (capped from 160).
  const std::chrono::milliseconds expected[] = {20ms, 40ms, 50ms, 50ms};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_GE(t->starts[i + 1] - t->starts[i], expected[i]) << "restart " << i + 1;
  }
}

TEST(supervision, the_restart_count_resets_after_a_quiet_period) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto t = std::make_shared<tally>();
  pid p = e->spawn(
      worker(t), "windowed",
      spawn_options{}.with_restart_delay(1ms).with_max_restarts(1).with_restart_window(30ms));
  e->send(p, job{1, true});  // restart 1 of 1
  ASSERT_TRUE(events.wait_count<actor_restarted_event>(1));
  // Wait past the window: the next crash counts as the first again instead of exceeding.
  const auto after_first = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_until([&] { return std::chrono::steady_clock::now() - after_first > 60ms; }));
  e->send(p, job{2, true});
  ASSERT_TRUE(events.wait_count<actor_restarted_event>(2));
  e->send(p, job{3});
  ASSERT_TRUE(wait_until([&] { return t->handled_count() == 1; }));
  EXPECT_EQ(events.count<actor_max_restarts_exceeded_event>(), 0u);
  EXPECT_TRUE(e->lookup(p.id()));
}

TEST(supervision, without_a_window_crashes_add_up_to_the_limit) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto t = std::make_shared<tally>();
  pid p = e->spawn(worker(t), "unwindowed",
                   spawn_options{}.with_restart_delay(1ms).with_max_restarts(1));
  e->send(p, job{1, true});
  ASSERT_TRUE(events.wait_count<actor_restarted_event>(1));
  e->send(p, job{2, true});
  ASSERT_TRUE(events.wait_count<actor_max_restarts_exceeded_event>(1));
  EXPECT_TRUE(wait_until([&] { return !e->lookup(p.id()); }));
}

TEST(supervision, messages_sent_during_the_restart_delay_are_kept_in_order) {
  auto e = make_engine();
  auto t = std::make_shared<tally>();
  recorder events(*e);
  e->subscribe(events.pid());
  pid p = e->spawn(worker(t), "buffered", spawn_options{}.with_restart_delay(50ms));
  e->send(p, job{0, true});
  ASSERT_TRUE(events.wait_count<dead_letter_event>(1));  // crashed: the delay is running now
  for (int i = 1; i <= 20; ++i)
    e->send(p, job{i});
  ASSERT_TRUE(wait_until([&] { return t->handled_count() == 20; }));
  std::lock_guard lock(t->mu);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(t->handled[static_cast<std::size_t>(i)], i + 1);
}

// -- strategies -------------------------------------------------------------------

/// A parent with three children; `grow` spawns them, job{n} goes to child n.
struct family {
  std::shared_ptr<tally> kids[3] = {std::make_shared<tally>(), std::make_shared<tally>(),
                                    std::make_shared<tally>()};
  std::mutex mu;
  std::vector<pid> children;
  std::vector<child_failed> failures;
};

producer parent_of(std::shared_ptr<family> f, std::uint32_t child_max_restarts) {
  return make_fn_producer([f, child_max_restarts](context& ctx) {
    if (ctx.is<grow>()) {
      std::lock_guard lock(f->mu);
      for (int i = 0; i < 3; ++i) {
        f->children.push_back(ctx.spawn_child(
            worker(f->kids[i]), "kid",
            spawn_options{}.with_restart_delay(1ms).with_max_restarts(child_max_restarts)));
      }
    }
    if (auto* failed = ctx.get_if<child_failed>()) {
      std::lock_guard lock(f->mu);
      f->failures.push_back(*failed);
    }
    if (ctx.is<report>()) ctx.respond(report{});  // a sync point for the test
  });
}

std::vector<pid> grown(engine& e, const pid& parent, const std::shared_ptr<family>& f) {
  e.send(parent, grow{});
  EXPECT_TRUE(wait_until([&] {
    std::lock_guard lock(f->mu);
    return f->children.size() == 3 && f->kids[0]->instances.load() == 1 &&
           f->kids[1]->instances.load() == 1 && f->kids[2]->instances.load() == 1;
  }));
  std::lock_guard lock(f->mu);
  return f->children;
}

TEST(supervision, one_for_one_restarts_only_the_crashing_child) {
  auto e = make_engine();
  auto f = std::make_shared<family>();
  pid parent = e->spawn(parent_of(f, 3), "parent");
  auto kids = grown(*e, parent, f);
  e->send(kids[1], job{1, true});
  e->send(kids[1], job{2});
  ASSERT_TRUE(wait_until([&] { return f->kids[1]->handled_count() == 1; }));
  EXPECT_EQ(f->kids[0]->instances.load(), 1);
  EXPECT_EQ(f->kids[1]->instances.load(), 2);
  EXPECT_EQ(f->kids[2]->instances.load(), 1);
}

TEST(supervision, all_for_one_restarts_every_sibling_and_keeps_their_messages) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto f = std::make_shared<family>();
  pid parent = e->spawn(parent_of(f, 3), "parent",
                        spawn_options{}.with_child_strategy(supervision_strategy::all_for_one));
  auto kids = grown(*e, parent, f);
  e->send(kids[0], job{0, true});
  ASSERT_TRUE(wait_until([&] {
    return f->kids[0]->instances.load() == 2 && f->kids[1]->instances.load() == 2 &&
           f->kids[2]->instances.load() == 2;
  }));
  // Every sibling's old instance got `stopped` once.
  EXPECT_EQ(f->kids[1]->stopped.load(), 1);
  EXPECT_EQ(f->kids[2]->stopped.load(), 1);
  // Messages sent afterwards reach the fresh instances.
  for (int i = 0; i < 3; ++i)
    e->send(kids[static_cast<std::size_t>(i)], job{10 + i});
  ASSERT_TRUE(wait_until([&] {
    return f->kids[0]->handled_count() == 1 && f->kids[1]->handled_count() == 1 &&
           f->kids[2]->handled_count() == 1;
  }));
  // Restart counts stay per child: only the crashing one counted a restart.
  for (const auto& a : e->stats().per_actor) {
    if (a.pid == kids[0]) {
      EXPECT_EQ(a.restarts, 1u);
    }
    if (a.pid == kids[1] || a.pid == kids[2]) {
      EXPECT_EQ(a.restarts, 0u);
    }
  }
}

TEST(supervision, all_for_one_siblings_keep_messages_queued_before_the_restart) {
  auto e = make_engine();
  auto f = std::make_shared<family>();
  pid parent = e->spawn(parent_of(f, 3), "parent",
                        spawn_options{}.with_child_strategy(supervision_strategy::all_for_one));
  auto kids = grown(*e, parent, f);
  for (int i = 0; i < 50; ++i)
    e->send(kids[2], job{i});
  e->send(kids[0], job{0, true});
  for (int i = 50; i < 100; ++i)
    e->send(kids[2], job{i});
  ASSERT_TRUE(wait_until([&] { return f->kids[2]->handled_count() == 100; }));
  std::lock_guard lock(f->kids[2]->mu);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(f->kids[2]->handled[static_cast<std::size_t>(i)], i);
}

TEST(supervision, a_child_past_its_restarts_is_reported_to_an_escalating_parent) {
  auto e = make_engine();
  auto f = std::make_shared<family>();
  pid parent = e->spawn(parent_of(f, 0), "parent",
                        spawn_options{}.with_escalation(escalation::notify_parent));
  auto kids = grown(*e, parent, f);
  e->send(kids[1], job{7, true});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(f->mu);
    return f->failures.size() == 1;
  }));
  std::lock_guard lock(f->mu);
  EXPECT_EQ(f->failures[0].child, kids[1]);
  EXPECT_NE(f->failures[0].reason.find("job 7"), std::string::npos);
  EXPECT_TRUE(wait_until([&] { return !e->lookup(kids[1].id()); }));
  EXPECT_TRUE(e->lookup(parent.id()));
}

TEST(supervision, a_parent_without_escalation_is_not_told) {
  auto e = make_engine();
  auto f = std::make_shared<family>();
  pid parent = e->spawn(parent_of(f, 0), "parent");
  auto kids = grown(*e, parent, f);
  e->send(kids[1], job{7, true});
  ASSERT_TRUE(wait_until([&] { return !e->lookup(kids[1].id()); }));
  // The child's notice would be queued before our request: once the parent answered it, nothing
  // earlier is pending.
  ASSERT_TRUE(e->request(parent, report{}, 30s).get());
  std::lock_guard lock(f->mu);
  EXPECT_TRUE(f->failures.empty());
}

// -- death watch ------------------------------------------------------------------

/// An actor that watches the PID it is sent and records `terminated` notices.
struct watcher_state {
  std::mutex mu;
  std::vector<terminated> notices;
  std::size_t count() {
    std::lock_guard lock(mu);
    return notices.size();
  }
};
struct watch_it {
  pid target;
};
struct unwatch_it {
  pid target;
};

pid spawn_watcher(engine& e, std::shared_ptr<watcher_state> w) {
  return e.spawn_fn(
      [w](context& ctx) {
        if (auto* m = ctx.get_if<watch_it>()) ctx.watch(m->target);
        if (auto* m = ctx.get_if<unwatch_it>()) ctx.unwatch(m->target);
        if (auto* t = ctx.get_if<terminated>()) {
          std::lock_guard lock(w->mu);
          w->notices.push_back(*t);
        }
        if (ctx.is<report>()) ctx.respond(report{});  // a sync point for the test
      },
      "watcher");
}

TEST(death_watch, a_watcher_hears_once_when_the_target_stops) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);
  pid target = e->spawn_fn([](context&) {}, "target");
  e->send(watcher, watch_it{target});
  e->send(watcher, watch_it{target});  // twice: still one notice
  // The watcher handles its messages in order: once it answered, it has asked the target.
  ASSERT_TRUE(e->request(watcher, report{}, 30s).get());
  ASSERT_TRUE(e->poison(target).wait());
  ASSERT_TRUE(wait_until([&] { return w->count() == 1; }));
  std::lock_guard lock(w->mu);
  EXPECT_EQ(w->notices[0].actor, target);
  EXPECT_EQ(w->notices[0].reason, termination_reason::stopped);
}

TEST(death_watch, restarts_do_not_fire_but_crashing_past_the_limit_does) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);
  auto t = std::make_shared<tally>();
  pid target =
      e->spawn(worker(t), "fragile", spawn_options{}.with_restart_delay(1ms).with_max_restarts(2));
  e->send(watcher, watch_it{target});
  ASSERT_TRUE(e->request(watcher, report{}, 30s).get());
  ASSERT_TRUE(wait_until([&] { return t->instances.load() == 1; }));
  e->send(target, job{1, true});
  e->send(target, job{2, true});
  e->send(target, job{3});
  ASSERT_TRUE(wait_until([&] { return t->handled_count() == 1; }));
  EXPECT_EQ(w->count(), 0u);  // two restarts, no notice
  e->send(target, job{4, true});
  e->send(target, job{5, true});
  e->send(target, job{6, true});
  ASSERT_TRUE(wait_until([&] { return w->count() == 1; }));
  std::lock_guard lock(w->mu);
  EXPECT_EQ(w->notices[0].reason, termination_reason::crashed);
  EXPECT_NE(w->notices[0].detail.find("job"), std::string::npos);
}

TEST(death_watch, watching_a_dead_or_unknown_pid_answers_at_once) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);
  pid gone = e->spawn_fn([](context&) {}, "gone");
  ASSERT_TRUE(e->stop(gone).wait());
  e->send(watcher, watch_it{gone});
  e->send(watcher, watch_it{pid("local", "never/1")});
  ASSERT_TRUE(wait_until([&] { return w->count() == 2; }));
  std::lock_guard lock(w->mu);
  for (const auto& n : w->notices)
    EXPECT_EQ(n.reason, termination_reason::not_found);
}

TEST(death_watch, unwatch_means_no_notice) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);
  pid a = e->spawn_fn([](context&) {}, "a");
  pid b = e->spawn_fn([](context&) {}, "b");
  e->send(watcher, watch_it{a});
  e->send(watcher, watch_it{b});
  e->send(watcher, unwatch_it{a});
  ASSERT_TRUE(e->request(watcher, report{}, 30s).get());
  ASSERT_TRUE(e->stop(a).wait());
  ASSERT_TRUE(e->stop(b).wait());
  ASSERT_TRUE(wait_until([&] { return w->count() == 1; }));
  // b's notice arrived after anything a could have sent; nothing about a came.
  std::lock_guard lock(w->mu);
  EXPECT_EQ(w->notices[0].actor, b);
}

TEST(death_watch, engine_watch_on_behalf_of_an_actor_uses_its_bookkeeping) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);
  pid a = e->spawn_fn([](context&) {}, "a");
  pid b = e->spawn_fn([](context&) {}, "b");
  e->watch(a, watcher);
  e->watch(b, watcher);
  e->unwatch(a, watcher);
  ASSERT_TRUE(e->request(watcher, report{}, 30s).get());
  ASSERT_TRUE(e->stop(a).wait());
  ASSERT_TRUE(e->stop(b).wait());
  ASSERT_TRUE(wait_until([&] { return w->count() == 1; }));
  std::lock_guard lock(w->mu);
  EXPECT_EQ(w->notices[0].actor, b);
}

TEST(death_watch, a_terminated_value_passed_on_by_someone_else_is_ordinary_data) {
  auto e = make_engine();
  auto w = std::make_shared<watcher_state>();
  pid watcher = spawn_watcher(*e, w);  // watches nothing
  pid someone = e->spawn_fn([](context&) {}, "someone");
  e->send(watcher, terminated{pid("local", "x/1"), termination_reason::stopped, {}});
  e->send_with_sender(watcher, terminated{pid("local", "y/1"), termination_reason::crashed, {}},
                      someone);
  ASSERT_TRUE(wait_until([&] { return w->count() == 2; }));
}

// -- bounded inboxes --------------------------------------------------------------

/// An actor whose first `job` blocks until `open` is set, so its inbox fills up.
struct gated {
  std::atomic<bool> open{false};
  std::atomic<bool> inside{false};
  std::mutex mu;
  std::vector<int> handled;
  std::size_t count() {
    std::lock_guard lock(mu);
    return handled.size();
  }
};

pid spawn_gated(engine& e, std::shared_ptr<gated> g, spawn_options options) {
  pid p = e.spawn_fn(
      [g](context& ctx) {
        if (auto* j = ctx.get_if<job>()) {
          g->inside = true;
          while (!g->open.load())
            std::this_thread::yield();
          std::lock_guard lock(g->mu);
          g->handled.push_back(j->n);
        }
      },
      "gated", std::move(options));
  e.send(p, job{0});  // occupies the actor; the inbox is now empty and it is stuck
  EXPECT_TRUE(wait_until([&] { return g->inside.load(); }));
  return p;
}

TEST(bounded_inbox, fail_refuses_with_a_result_and_send_dead_letters) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(4, overflow_policy::fail));
  for (int i = 1; i <= 4; ++i)
    EXPECT_EQ(e->try_send(p, job{i}), send_result::delivered);
  EXPECT_EQ(e->try_send(p, job{5}), send_result::inbox_full);
  e->send(p, job{6});
  ASSERT_TRUE(events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::inbox_full && d.message->get<job>().n == 6;
  }));
  g->open = true;
  ASSERT_TRUE(wait_until([&] { return g->count() == 5; }));
  std::lock_guard lock(g->mu);
  EXPECT_EQ(g->handled, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(bounded_inbox, drop_newest_keeps_the_first_messages) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(4, overflow_policy::drop_newest));
  for (int i = 1; i <= 6; ++i)
    e->send(p, job{i});
  EXPECT_EQ(e->try_send(p, job{7}), send_result::dropped);
  ASSERT_TRUE(events.wait_count<dead_letter_event>(3));
  g->open = true;
  ASSERT_TRUE(wait_until([&] { return g->count() == 5; }));
  std::lock_guard lock(g->mu);
  EXPECT_EQ(g->handled, (std::vector<int>{0, 1, 2, 3, 4}));
  for (const auto& d : events.all<dead_letter_event>()) {
    EXPECT_EQ(d.reason, dead_letter_reason::inbox_full);
    EXPECT_GE(d.message->get<job>().n, 5);
  }
}

TEST(bounded_inbox, drop_oldest_keeps_the_latest_messages) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(4, overflow_policy::drop_oldest));
  for (int i = 1; i <= 7; ++i)
    EXPECT_EQ(e->try_send(p, job{i}), send_result::delivered);
  ASSERT_TRUE(events.wait_count<dead_letter_event>(3));
  g->open = true;
  ASSERT_TRUE(wait_until([&] { return g->count() == 5; }));
  std::lock_guard lock(g->mu);
  EXPECT_EQ(g->handled, (std::vector<int>{0, 4, 5, 6, 7}));
  std::vector<int> dropped;
  for (const auto& d : events.all<dead_letter_event>())
    dropped.push_back(d.message->get<job>().n);
  EXPECT_EQ(dropped, (std::vector<int>{1, 2, 3}));
}

TEST(bounded_inbox, block_waits_for_room_from_a_plain_thread) {
  auto e = make_engine();
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(2, overflow_policy::block, 30s));
  e->send(p, job{1});
  e->send(p, job{2});
  std::atomic<bool> sent{false};
  std::thread sender([&] {
    e->send(p, job{3});  // blocks until the actor makes room
    sent = true;
  });
  EXPECT_FALSE(sent.load());
  g->open = true;
  sender.join();
  EXPECT_TRUE(sent.load());
  ASSERT_TRUE(wait_until([&] { return g->count() == 4; }));
  EXPECT_EQ(e->stats().dead_letters, 0u);
}

TEST(bounded_inbox, block_gives_up_at_its_deadline_with_a_dead_letter) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(2, overflow_policy::block, 20ms));
  e->send(p, job{1});
  e->send(p, job{2});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(e->try_send(p, job{3}), send_result::inbox_full);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  e->send(p, job{4});
  ASSERT_TRUE(events.wait_for<dead_letter_event>(
      [](const dead_letter_event& d) { return d.message->get<job>().n == 4; }));
  g->open = true;
}

TEST(bounded_inbox, a_sender_inside_an_actor_never_blocks_on_a_full_inbox) {
  auto e = make_engine();
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(2, overflow_policy::block, 30s));
  e->send(p, job{1});
  e->send(p, job{2});
  std::atomic<int> result{-1};
  pid sender = e->spawn_fn(
      [&, p](context& ctx) {
        if (ctx.is<report>()) result = static_cast<int>(ctx.try_send(p, job{3}));
      },
      "sender");
  e->send(sender, report{});
  ASSERT_TRUE(wait_until([&] { return result.load() != -1; }, 5s));
  EXPECT_EQ(result.load(), static_cast<int>(send_result::inbox_full));
  g->open = true;
}

TEST(bounded_inbox, poison_of_a_full_inbox_handles_what_was_queued_then_stops) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(4, overflow_policy::fail));
  for (int i = 1; i <= 4; ++i)
    e->send(p, job{i});
  completion c = e->poison(p);  // the inbox is full; the poison still gets through
  e->send(p, job{5});           // refused (full): a dead letter
  g->open = true;
  ASSERT_TRUE(c.wait());
  std::lock_guard lock(g->mu);
  EXPECT_EQ(g->handled, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(e->lookup(p.id()));
}

TEST(bounded_inbox, a_capacity_that_is_not_a_power_of_two_is_refused) {
  auto e = make_engine();
  auto r = e->try_spawn(make_fn_producer([](context&) {}), "odd",
                        spawn_options{}.with_inbox(3, overflow_policy::fail));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), hollywood::errc::invalid_argument);
}

TEST(bounded_inbox, stats_report_the_depth_of_a_bounded_inbox) {
  auto e = make_engine();
  auto g = std::make_shared<gated>();
  pid p = spawn_gated(*e, g, spawn_options{}.with_inbox(8, overflow_policy::fail));
  for (int i = 1; i <= 5; ++i)
    e->send(p, job{i});
  for (const auto& a : e->stats().per_actor) {
    if (a.pid == p) {
      EXPECT_EQ(a.inbox_depth, 5u);
    }
  }
  g->open = true;
}

}  // namespace
