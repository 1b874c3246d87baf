// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <unordered_set>

namespace {

using namespace hollywood::actor;

TEST(pid, empty_pid_is_false_and_prints_nothing) {
  pid p;
  EXPECT_FALSE(p);
  EXPECT_EQ(p.to_string(), "");
  EXPECT_EQ(p, pid{});
}

TEST(pid, a_pid_from_strings_has_address_and_id) {
  pid p("10.0.0.1:4000", "worker/7");
  EXPECT_TRUE(p);
  EXPECT_EQ(p.address(), "10.0.0.1:4000");
  EXPECT_EQ(p.id(), "worker/7");
  EXPECT_EQ(p.to_string(), "10.0.0.1:4000/worker/7");
}

TEST(pid, empty_address_or_id_gives_the_empty_pid) {
  EXPECT_FALSE(pid("", "a/1"));
  EXPECT_FALSE(pid("local", ""));
}

TEST(pid, equality_compares_address_and_id) {
  EXPECT_EQ(pid("local", "a/1"), pid("local", "a/1"));
  EXPECT_NE(pid("local", "a/1"), pid("local", "a/2"));
  EXPECT_NE(pid("local", "a/1"), pid("remote:1", "a/1"));
}

TEST(pid, engine_pid_equals_a_pid_built_from_its_strings_and_hashes_alike) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  pid spawned = e->spawn_fn([](context&) {}, "thing", spawn_options{}.with_id("x"));
  pid named(spawned.address(), spawned.id());
  EXPECT_EQ(spawned.id(), "thing/x");
  EXPECT_EQ(spawned.address(), "local");
  EXPECT_EQ(spawned, named);
  EXPECT_EQ(std::hash<pid>{}(spawned), std::hash<pid>{}(named));
  std::unordered_set<pid> set{spawned};
  EXPECT_EQ(set.count(named), 1u);
}

TEST(pid, copies_share_the_target) {
  pid a("local", "a/1");
  pid b = a;
  EXPECT_EQ(a.target(), b.target());
  pid c = std::move(b);
  EXPECT_EQ(c.target(), a.target());
}

}  // namespace
