// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <hollywood_test/wait.hpp>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

using namespace hollywood::actor;
using hollywood::test::wait_until;

/// Whether `id` is `prefix` followed by a number in canonical form (no sign, no leading zero).
bool numbered_under(std::string_view id, std::string_view prefix) {
  if (!id.starts_with(prefix)) return false;
  const std::string_view digits = id.substr(prefix.size());
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return false;
  return digits.find_first_not_of("0123456789") == std::string_view::npos;
}

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

TEST(pid, a_numbered_id_is_written_out_when_asked_and_outlives_its_engine) {
  // The engine keeps a numbered actor's kind, parent and number, and writes the text out on the
  // first id(): here only after the engine and all three actors are gone.
  pid root;
  pid leaf;
  pid twig;
  std::string root_id;
  {
    auto e = engine::create(engine_config{}.with_workers(1)).value();
    std::mutex mu;
    root = e->spawn_fn(
        [&](context& ctx) {
          if (!ctx.is<started>()) return;
          pid l = ctx.spawn_child_fn(
              [&](context& c) {
                if (!c.is<started>()) return;
                pid t = c.spawn_child_fn([](context&) {}, "twig");
                std::lock_guard lock(mu);
                twig = std::move(t);
              },
              "leaf");
          std::lock_guard lock(mu);
          leaf = std::move(l);
        },
        "root");
    ASSERT_TRUE(wait_until([&] {
      std::lock_guard lock(mu);
      return leaf && twig;
    }));
    root_id = std::string(root.id());
    ASSERT_TRUE(numbered_under(root_id, "root/"));
    // Lookups match numbered IDs part by part; none of these may find anything.
    EXPECT_FALSE(e->lookup("leaf/1"));
    EXPECT_FALSE(e->lookup("x" + root_id + "/leaf/1"));
    EXPECT_EQ(e->lookup(root_id), root);
    e->poison(root).wait();
  }
  const std::string leaf_id(leaf.id());
  EXPECT_TRUE(numbered_under(leaf_id, root_id + "/leaf/")) << leaf_id;
  EXPECT_TRUE(numbered_under(twig.id(), leaf_id + "/twig/")) << twig.id();
  EXPECT_EQ(twig, pid(twig.address(), twig.id()));
}

/// A numbered actor "dad" whose `started` spawns a numbered child "kid"; the child is empty if
/// it never came. Neither ID is written out.
struct family {
  pid parent;
  pid child;
};
family spawn_dad_and_kid(engine& e) {
  struct slot {
    std::mutex mu;
    pid child;
  };
  auto got = std::make_shared<slot>();  // shared: dad may start after a timed-out wait
  pid parent = e.spawn_fn(
      [got](context& ctx) {
        if (!ctx.is<started>()) return;
        pid c = ctx.spawn_child_fn([](context&) {}, "kid");
        std::lock_guard lock(got->mu);
        got->child = std::move(c);
      },
      "dad");
  (void)wait_until([&] {
    std::lock_guard lock(got->mu);
    return static_cast<bool>(got->child);
  });
  std::lock_guard lock(got->mu);
  return {std::move(parent), got->child};
}

TEST(pid, lookups_match_a_numbered_id_exactly_before_and_after_it_is_written_out) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  const auto [parent, child] = spawn_dad_and_kid(*e);
  ASSERT_TRUE(child);
  // Found by trying numbers, so that `child` stays unwritten until the lookups below have run.
  const std::string parent_id(parent.id());
  std::string number;
  for (int n = 0; n < 1 << 16 && number.empty(); ++n) {
    if (e->lookup(parent_id + "/kid/" + std::to_string(n)) == child) number = std::to_string(n);
  }
  ASSERT_FALSE(number.empty());
  const std::string exact = parent_id + "/kid/" + number;
  const std::vector<std::string> near_misses = {
      "x" + exact,
      parent_id + "/ki/" + number,
      parent_id + "/xkid/" + number,
      parent_id + "kid/" + number,
      parent_id.substr(1) + "/kid/" + number,
      "kid/" + number,
      parent_id + "/kid/0" + number,
      parent_id + "/kid/+" + number,
  };
  for (const std::string& m : near_misses)
    EXPECT_FALSE(e->lookup(m)) << m;
  EXPECT_EQ(child.id(), exact);        // written out now
  EXPECT_EQ(e->lookup(exact), child);  // and still found
}

/// The number of the engine-numbered actor `p` of kind `kind` (no parent), found by lookups so
/// that `p`'s ID stays unwritten.
std::string number_of(engine& e, const pid& p, const std::string& kind) {
  for (int n = 0; n < 1 << 16; ++n) {
    if (e.lookup(kind + "/" + std::to_string(n)) == p) return std::to_string(n);
  }
  return {};
}

TEST(pid, comparing_and_hashing_numbered_pids_writes_no_id_out) {
  auto e1 = engine::create(engine_config{}.with_workers(1)).value();
  auto e2 = engine::create(engine_config{}.with_workers(1)).value();
  pid a = e1->spawn_fn([](context&) {}, "w");
  pid other = e1->spawn_fn([](context&) {}, "w");
  const std::string number = number_of(*e1, a, "w");
  ASSERT_FALSE(number.empty());
  // Both engines are "local": an actor of e2 with the same kind and number has the same PID text.
  pid twin;
  std::vector<pid> spawned;
  for (int i = 0; i < 4096 && !twin; ++i) {
    spawned.push_back(e2->spawn_fn([](context&) {}, "w"));
    if (e2->lookup("w/" + number) == spawned.back()) twin = spawned.back();
  }
  ASSERT_TRUE(twin) << "e2 never numbered an actor " << number;
  const pid given(a.address(), "w/" + number);
  const pid dad_given(a.address(), "dad/" + number);

  EXPECT_EQ(a, twin);  // numbered on both sides
  EXPECT_EQ(a, given);
  EXPECT_EQ(given, a);
  EXPECT_NE(a, other);
  EXPECT_NE(a, dad_given);
  EXPECT_EQ(std::hash<pid>{}(a), std::hash<pid>{}(twin));
  EXPECT_EQ(std::hash<pid>{}(a), std::hash<pid>{}(given));
  std::unordered_set<pid> set{a, other};
  EXPECT_EQ(set.count(twin), 1u);
  EXPECT_EQ(set.count(given), 1u);
  EXPECT_EQ(set.count(dad_given), 0u);
  for (const pid* p : {&a, &other, &twin}) {
    EXPECT_FALSE(p->target()->id_written_out());
  }
  // Once written out, the same answers.
  EXPECT_EQ(a.id(), "w/" + number);
  EXPECT_TRUE(a.target()->id_written_out());
  EXPECT_EQ(a, twin);
  EXPECT_EQ(std::hash<pid>{}(a), std::hash<pid>{}(twin));
  EXPECT_NE(a, other);
  EXPECT_FALSE(twin.target()->id_written_out());
}

TEST(pid, a_numbered_child_hashes_as_its_written_out_id_would) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  const auto [parent, child] = spawn_dad_and_kid(*e);
  ASSERT_TRUE(child);
  // Hashed by its number: neither ID is written out.
  const std::size_t before = std::hash<pid>{}(child);
  EXPECT_FALSE(child.target()->id_written_out());
  EXPECT_FALSE(parent.target()->id_written_out());
  const pid given(child.address(), child.id());
  EXPECT_EQ(before, std::hash<pid>{}(given));
  EXPECT_EQ(before, std::hash<pid>{}(child));
  EXPECT_EQ(child, given);
}

TEST(pid, threads_writing_out_one_numbered_id_at_once_all_see_one_text) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  std::vector<pid> actors;
  for (int i = 0; i < 200; ++i)
    actors.push_back(e->spawn_fn([](context&) {}, "many"));
  constexpr int threads = 3;
  std::vector<std::vector<std::string_view>> seen(threads);
  std::latch together(threads);
  std::vector<std::thread> askers;
  for (int t = 0; t < threads; ++t) {
    askers.emplace_back([&, t] {
      together.arrive_and_wait();
      for (const pid& p : actors)
        seen[t].push_back(p.id());
    });
  }
  for (std::thread& a : askers)
    a.join();
  std::unordered_set<std::string_view> distinct;
  for (std::size_t i = 0; i < actors.size(); ++i) {
    for (int t = 1; t < threads; ++t) {
      // One text per actor: the same characters at the same address.
      EXPECT_EQ(seen[t][i].data(), seen[0][i].data());
      EXPECT_EQ(seen[t][i], seen[0][i]);
    }
    EXPECT_TRUE(numbered_under(seen[0][i], "many/")) << seen[0][i];
    distinct.insert(seen[0][i]);
  }
  EXPECT_EQ(distinct.size(), actors.size());
}

TEST(pid, copies_share_the_target) {
  pid a("local", "a/1");
  pid b = a;
  EXPECT_EQ(a.target(), b.target());
  pid c = std::move(b);
  EXPECT_EQ(c.target(), a.target());
}

}  // namespace
