// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::recorder;
using hollywood::test::wait_until;

struct work {
  int seq = 0;
};
struct spawn_kids {
  int count = 0;
};

std::unique_ptr<engine> make_engine() {
  return engine::create(engine_config{}.with_workers(2)).value();
}

/// Records the order in which actors (by a label) handled `stopped`.
struct stop_log {
  std::mutex mu;
  std::vector<std::string> order;
  void add(std::string s) {
    std::lock_guard lock(mu);
    order.push_back(std::move(s));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu);
    return order;
  }
};

TEST(lifecycle, poison_handles_everything_queued_before_it_then_stopped_once) {
  auto e = make_engine();
  std::atomic<int> handled{0};
  std::atomic<int> stopped_count{0};
  std::atomic<bool> gate{false};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          while (!gate.load())
            std::this_thread::yield();
          handled.fetch_add(1);
        }
        if (ctx.is<stopped>()) stopped_count.fetch_add(1);
      },
      "graceful");
  for (int i = 0; i < 100; ++i)
    e->send(p, work{i});
  completion c = e->poison(p);
  EXPECT_FALSE(c.done());
  gate = true;
  ASSERT_TRUE(c.wait());
  EXPECT_EQ(handled.load(), 100);
  EXPECT_EQ(stopped_count.load(), 1);
  EXPECT_FALSE(e->lookup(p.id()));
}

TEST(lifecycle, messages_after_a_poison_become_dead_letters) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> gate{false};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          while (!gate.load())
            std::this_thread::yield();
        }
      },
      "late");
  e->send(p, work{0});
  completion c = e->poison(p);
  e->send(p, work{1});
  e->send(p, work{2});
  gate = true;
  ASSERT_TRUE(c.wait());
  ASSERT_TRUE(events.wait_for<dead_letter_event>([&](const dead_letter_event& d) {
    return d.target == p && d.message->is<work>() && d.message->get<work>().seq == 2;
  }));
  EXPECT_TRUE(events.wait_for<dead_letter_event>([&](const dead_letter_event& d) {
    return d.target == p && d.message->is<work>() && d.message->get<work>().seq == 1;
  }));
}

TEST(lifecycle, stop_dead_letters_queued_messages_instead_of_dropping_them) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> gate{false};
  std::atomic<bool> inside{false};
  std::atomic<int> handled{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          inside = true;
          while (!gate.load())
            std::this_thread::yield();
          handled.fetch_add(1);
        }
      },
      "abrupt");
  for (int i = 0; i < 50; ++i)
    e->send(p, work{i});
  ASSERT_TRUE(wait_until([&] { return inside.load(); }));
  completion c = e->stop(p);
  gate = true;
  ASSERT_TRUE(c.wait());
  // Every message is accounted for: handled, or a dead letter with reason `stopped`.
  ASSERT_TRUE(wait_until(
      [&] { return handled.load() + static_cast<int>(events.count<dead_letter_event>()) == 50; }));
  for (const auto& d : events.all<dead_letter_event>()) {
    EXPECT_EQ(d.reason, dead_letter_reason::stopped);
    EXPECT_EQ(d.target, p);
  }
  EXPECT_LT(handled.load(), 50);
}

TEST(lifecycle, concurrent_stops_and_poisons_yield_exactly_one_stopped) {
  auto e = make_engine();
  std::atomic<int> stopped_count{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<stopped>()) stopped_count.fetch_add(1);
      },
      "once");
  std::vector<std::thread> threads;
  std::vector<completion> done(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&, i] { done[static_cast<std::size_t>(i)] = i % 2 ? e->stop(p) : e->poison(p); });
  }
  for (auto& t : threads)
    t.join();
  for (auto& c : done)
    ASSERT_TRUE(c.wait());
  EXPECT_EQ(stopped_count.load(), 1);
}

TEST(lifecycle, stop_of_an_unknown_pid_completes_at_once_with_a_dead_letter) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  completion c = e->stop(pid("local", "nobody/1"));
  EXPECT_TRUE(c.done());
  completion d = e->poison(pid("local", "nobody/2"));
  EXPECT_TRUE(d.done());
  ASSERT_TRUE(events.wait_count<dead_letter_event>(2));
  auto dls = events.all<dead_letter_event>();
  EXPECT_TRUE(dls[0].message->is<stop_request>());
  EXPECT_EQ(dls[0].reason, dead_letter_reason::unknown_target);
}

TEST(lifecycle, stop_of_the_empty_pid_completes_at_once) {
  auto e = make_engine();
  EXPECT_TRUE(e->stop(pid{}).done());
  EXPECT_TRUE(e->poison(pid{}).done());
}

TEST(lifecycle, children_get_ids_under_their_parent_and_are_found_by_name) {
  auto e = make_engine();
  std::mutex mu;
  std::vector<pid> kids;
  pid found;
  pid parent_seen;
  std::atomic<bool> ready{false};
  pid parent = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<spawn_kids>()) {
          std::lock_guard lock(mu);
          kids.push_back(ctx.spawn_child_fn(
              [&](context& c) {
                if (c.is<started>()) {
                  std::lock_guard l(mu);
                  parent_seen = c.parent();
                }
              },
              "kid", spawn_options{}.with_id("alpha")));
          kids.push_back(ctx.spawn_child_fn([](context&) {}, "kid"));
          found = ctx.child("kid/alpha");
          EXPECT_EQ(ctx.children().size(), 2u);
          ready = true;
        }
      },
      "parent", spawn_options{}.with_id("p"));
  e->send(parent, spawn_kids{});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return ready.load() && parent_seen;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(kids[0].id(), "parent/p/kid/alpha");
  EXPECT_EQ(found, kids[0]);
  EXPECT_EQ(parent_seen, parent);
  EXPECT_EQ(e->lookup("parent/p/kid/alpha"), kids[0]);
}

TEST(lifecycle, poison_of_a_tree_stops_descendants_before_their_ancestors) {
  auto e = make_engine();
  auto log = std::make_shared<stop_log>();
  std::atomic<int> started_count{0};
  // root -> mid -> leaf
  auto leaf = make_fn_producer([log, &started_count](context& ctx) {
    if (ctx.is<started>()) started_count.fetch_add(1);
    if (ctx.is<stopped>()) log->add("leaf");
  });
  auto mid = make_fn_producer([log, leaf, &started_count](context& ctx) {
    if (ctx.is<started>()) {
      ctx.spawn_child(leaf, "leaf");
      started_count.fetch_add(1);
    }
    if (ctx.is<stopped>()) log->add("mid");
  });
  pid root = e->spawn(make_fn_producer([log, mid, &started_count](context& ctx) {
                        if (ctx.is<started>()) {
                          ctx.spawn_child(mid, "mid");
                          ctx.spawn_child(mid, "mid");
                          started_count.fetch_add(1);
                        }
                        if (ctx.is<stopped>()) log->add("root");
                      }),
                      "root");
  ASSERT_TRUE(wait_until([&] { return started_count.load() == 5; }));
  ASSERT_TRUE(e->poison(root).wait());
  auto order = log->get();
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order.back(), "root");
  // Each mid stops after its own leaf.
  int leaves_seen = 0;
  for (const auto& s : order) {
    if (s == "leaf") ++leaves_seen;
    if (s == "mid") {
      EXPECT_GE(leaves_seen, 1);
    }
  }
  EXPECT_EQ(e->pids("leaf").size(), 0u);
  EXPECT_EQ(e->pids("mid").size(), 0u);
}

TEST(lifecycle, a_child_that_stops_leaves_its_parents_children) {
  auto e = make_engine();
  std::atomic<std::size_t> kids{99};
  pid child;
  std::mutex mu;
  pid parent = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<spawn_kids>()) {
          std::lock_guard lock(mu);
          child = ctx.spawn_child_fn([](context&) {}, "kid");
        }
        if (ctx.is<work>()) kids = ctx.children().size();
      },
      "parent");
  e->send(parent, spawn_kids{});
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return static_cast<bool>(child);
  }));
  pid c;
  {
    std::lock_guard lock(mu);
    c = child;
  }
  ASSERT_TRUE(e->stop(c).wait());
  ASSERT_TRUE(wait_until([&] {
    e->send(parent, work{});
    return kids.load() == 0;
  }));
}

TEST(lifecycle, shutdown_poisons_every_actor_children_first_and_is_idempotent) {
  auto e = make_engine();
  auto log = std::make_shared<stop_log>();
  std::atomic<int> started_count{0};
  for (int i = 0; i < 10; ++i) {
    e->spawn(make_fn_producer([log, &started_count](context& ctx) {
               if (ctx.is<started>()) {
                 ctx.spawn_child_fn(
                     [log](context& c) {
                       if (c.is<stopped>()) log->add("child");
                     },
                     "child");
                 started_count.fetch_add(1);
               }
               if (ctx.is<stopped>()) log->add("parent");
             }),
             "top");
  }
  ASSERT_TRUE(wait_until([&] { return started_count.load() == 10; }));
  e->shutdown();
  auto order = log->get();
  EXPECT_EQ(order.size(), 20u);
  // Each parent stops after its child: at any point, parents stopped <= children stopped.
  int parents = 0;
  int children = 0;
  for (const auto& s : order) {
    (s == "parent" ? parents : children)++;
    EXPECT_LE(parents, children);
  }
  EXPECT_EQ(e->pids("top").size(), 0u);
  EXPECT_EQ(e->pids("child").size(), 0u);
  e->shutdown();  // a second call is harmless
  EXPECT_FALSE(e->spawn_fn([](context&) {}, "late"));
}

TEST(lifecycle, an_engine_destroyed_with_live_actors_stops_them_all) {
  std::atomic<int> stopped_count{0};
  {
    auto e = make_engine();
    for (int i = 0; i < 100; ++i) {
      e->spawn_fn(
          [&](context& ctx) {
            if (ctx.is<stopped>()) stopped_count.fetch_add(1);
          },
          "temp");
    }
  }
  EXPECT_EQ(stopped_count.load(), 100);
}

TEST(lifecycle, waiting_inside_an_actor_is_refused_instead_of_deadlocking) {
  auto e = make_engine();
  std::atomic<int> result{-1};
  pid sleeper = e->spawn_fn([](context&) {}, "sleeper");
  pid waiter = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          completion c = ctx.engine().stop(sleeper);
          result = c.wait() ? 1 : 0;
        }
      },
      "waiter");
  e->send(waiter, work{});
  ASSERT_TRUE(wait_until([&] { return result.load() != -1; }));
  EXPECT_EQ(result.load(), 0);
}

TEST(lifecycle, actors_can_stop_themselves) {
  auto e = make_engine();
  std::atomic<int> stopped_count{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) ctx.stop(ctx.self());
        if (ctx.is<stopped>()) stopped_count.fetch_add(1);
      },
      "selfstop");
  e->send(p, work{});
  ASSERT_TRUE(wait_until([&] { return !e->lookup(p.id()); }));
  EXPECT_EQ(stopped_count.load(), 1);
}

TEST(lifecycle, an_actors_stop_of_itself_completes_wherever_it_was_asked) {
  // A self-stop's completion waits with the running thread while the turn may still terminate
  // the actor; every way out of the turn must complete it or file it with the other waiters.
  auto e = make_engine();
  std::mutex mu;
  std::vector<completion> handed_out;
  auto keep = [&](completion c) {
    std::lock_guard lock(mu);
    handed_out.push_back(std::move(c));
  };
  std::atomic<bool> kid_stopped{false};
  std::atomic<bool> kid_stopped_first{false};
  struct boom {};
  // In a message, twice in one turn.
  pid twice = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          keep(ctx.stop(ctx.self()));
          keep(ctx.stop(ctx.self()));
        }
      },
      "twice");
  // In `started`.
  e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<started>()) keep(ctx.stop(ctx.self()));
      },
      "at-start");
  // With a child: done only once the child is gone too.
  pid parent = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<started>()) {
          ctx.spawn_child_fn(
              [&](context& c) {
                if (c.is<stopped>()) kid_stopped = true;
              },
              "kid");
        } else if (ctx.is<work>()) {
          completion c = ctx.stop(ctx.self());
          keep(c);
        } else if (ctx.is<stopped>()) {
          kid_stopped_first = kid_stopped.load();
        }
      },
      "parent");
  // In `stopped`, while a stop from outside is under way.
  pid late = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<stopped>()) keep(ctx.stop(ctx.self()));
      },
      "late");
  // Just before its handler throws.
  pid crasher = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          keep(ctx.stop(ctx.self()));
          throw boom{};
        }
      },
      "crasher");
  e->send(twice, work{});
  e->send(parent, work{});
  e->send(crasher, work{});
  ASSERT_TRUE(e->stop(late).wait_for(10s));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return handed_out.size() == 6;
  }));
  std::lock_guard lock(mu);
  for (std::size_t i = 0; i < handed_out.size(); ++i)
    EXPECT_TRUE(handed_out[i].wait_for(10s)) << i;
  EXPECT_TRUE(kid_stopped_first.load());
  for (const char* kind : {"twice", "at-start", "parent", "late", "crasher"})
    EXPECT_TRUE(e->pids(kind).empty()) << kind;
}

TEST(lifecycle, a_kept_self_stop_completion_stays_done_while_dropped_ones_are_reused) {
  // Dropped self-stop signals are reused by later self-stops on the same worker; one that a
  // caller kept must never be, or it would read "not done" again.
  auto e = make_engine();
  std::mutex mu;
  std::vector<completion> kept;
  constexpr int rounds = 4;
  constexpr int per_round = 100;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> gone{0};
    for (int i = 0; i < per_round; ++i) {
      pid p = e->spawn_fn(
          [&, keep = i % 2 == 0](context& ctx) {
            if (ctx.is<work>()) {
              completion c = ctx.stop(ctx.self());
              if (keep) {
                std::lock_guard lock(mu);
                kept.push_back(std::move(c));
              }
            } else if (ctx.is<stopped>()) {
              gone.fetch_add(1);
            }
          },
          "once");
      e->send(p, work{});
    }
    ASSERT_TRUE(wait_until([&] { return gone.load() == per_round && e->pids("once").empty(); }));
    std::lock_guard lock(mu);
    ASSERT_EQ(kept.size(), static_cast<std::size_t>((round + 1) * per_round / 2));
    for (const completion& c : kept)
      ASSERT_TRUE(c.wait_for(10s));
  }
}

}  // namespace
