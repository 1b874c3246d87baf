// SPDX-License-Identifier: MIT
// Death watch across engines: the watched actor stops, crashes, does not exist, or its whole
// engine goes away.

#include "remote_fixture.hpp"

#include <hollywood_test/recorder.hpp>
#include <hollywood_test/wait.hpp>
#include <stdexcept>

namespace {

using namespace hollywood::actor;
using namespace hollywood::test;
namespace remote = hollywood::remote;

struct watch_this {
  pid target;
};

/// An actor on `e` that watches whatever `watch_this` names and reports `terminated` to `report`.
pid spawn_watcher(engine& e, const pid& report) {
  return e.spawn_fn(
      [report](context& ctx) {
        if (auto* w = ctx.get_if<watch_this>()) ctx.watch(w->target);
        if (auto* t = ctx.get_if<terminated>()) ctx.send(report, *t);
      },
      "watcher");
}

TEST(remote_watch, a_watcher_learns_that_a_remote_actor_stopped) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  const pid target = b.engine->spawn_fn([](context&) {}, "target", spawn_options{}.with_id("1"));
  const pid watcher = spawn_watcher(*a.engine, report.pid());
  a.engine->send(watcher, watch_this{b.at("target/1")});
  // The watch is in place once the watched engine has handled it: stop the target after a
  // round trip on the same path.
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received >= 1; }));
  b.engine->poison(target).wait();
  ASSERT_TRUE(report.wait_count<terminated>(1));
  const auto t = report.all<terminated>()[0];
  EXPECT_EQ(t.actor, b.at("target/1"));
  EXPECT_EQ(t.reason, termination_reason::stopped);
}

TEST(remote_watch, a_crash_past_the_restart_limit_arrives_with_its_reason) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  b.engine->spawn_fn(
      [](context& ctx) {
        if (ctx.is<Greeting>()) throw std::runtime_error("boom");
      },
      "fragile", spawn_options{}.with_id("1").with_max_restarts(0));
  const pid watcher = spawn_watcher(*a.engine, report.pid());
  a.engine->send(watcher, watch_this{b.at("fragile/1")});
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received >= 1; }));
  a.engine->send(b.at("fragile/1"), greeting("crash"));
  ASSERT_TRUE(report.wait_count<terminated>(1));
  const auto t = report.all<terminated>()[0];
  EXPECT_EQ(t.reason, termination_reason::crashed);
  EXPECT_NE(t.detail.find("boom"), std::string::npos) << t.detail;
}

TEST(remote_watch, watching_a_remote_actor_that_does_not_exist_answers_not_found) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  const pid watcher = spawn_watcher(*a.engine, report.pid());
  a.engine->send(watcher, watch_this{b.at("ghost/1")});
  ASSERT_TRUE(report.wait_count<terminated>(1));
  EXPECT_EQ(report.all<terminated>()[0].reason, termination_reason::not_found);
}

TEST(remote_watch, a_watcher_learns_when_the_whole_remote_engine_goes_away) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  b.engine->spawn_fn([](context&) {}, "target", spawn_options{}.with_id("1"));
  const pid target = b.at("target/1");
  const pid watcher = spawn_watcher(*a.engine, report.pid());
  a.engine->send(watcher, watch_this{target});
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received >= 1; }));
  // The peer dies without stopping its actors first: nothing tells the watcher but the outage.
  b.net->stop();
  ASSERT_TRUE(report.wait_count<terminated>(1));
  const auto t = report.all<terminated>()[0];
  EXPECT_EQ(t.actor, target);
  EXPECT_EQ(t.reason, termination_reason::unreachable);
}

TEST(remote_watch, engine_level_watch_works_for_code_outside_actors) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  const pid target = b.engine->spawn_fn([](context&) {}, "target", spawn_options{}.with_id("1"));
  a.engine->watch(b.at("target/1"), report.pid());
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received >= 1; }));
  b.engine->stop(target).wait();
  ASSERT_TRUE(report.wait_count<terminated>(1));
  EXPECT_EQ(report.all<terminated>()[0].reason, termination_reason::stopped);
}

TEST(remote_watch, after_unwatch_no_notice_is_delivered) {
  auto a = make_node();
  auto b = make_node();
  recorder report(*a.engine, "report");
  const pid target = b.engine->spawn_fn([](context&) {}, "target", spawn_options{}.with_id("1"));
  const pid remote_target = b.at("target/1");
  a.engine->watch(remote_target, report.pid());
  a.engine->unwatch(remote_target, report.pid());
  // A marker on the same path: once it arrived, both requests were handled in order.
  recorder marker(*b.engine, "marker");
  a.engine->send(b.at(marker.pid().id()), greeting("after"));
  ASSERT_TRUE(marker.wait_count<Greeting>(1));
  b.engine->stop(target).wait();
  // And a second watched actor whose notice does arrive bounds the wait for the first.
  const pid other = b.engine->spawn_fn([](context&) {}, "target", spawn_options{}.with_id("2"));
  a.engine->watch(b.at("target/2"), report.pid());
  a.engine->send(b.at(marker.pid().id()), greeting("after"));
  ASSERT_TRUE(marker.wait_count<Greeting>(2));
  b.engine->stop(other).wait();
  ASSERT_TRUE(report.wait_count<terminated>(1));
  const auto notices = report.all<terminated>();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].actor.id(), "target/2");
}

}  // namespace
