// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::recorder;

struct ping {
  int seq = 0;
};
struct pong {
  int seq = 0;
};

std::unique_ptr<engine> make_engine(std::size_t workers = 2) {
  return engine::create(engine_config{}.with_workers(workers)).value();
}

TEST(engine, create_rejects_an_invalid_configuration) {
  auto bad = engine::create(engine_config{}.with_throughput(0));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), hollywood::errc::invalid_config);
  EXPECT_FALSE(engine::create(engine_config{}.with_address("")));
  EXPECT_FALSE(engine::create(engine_config{}.with_spin(-1ns)));
  EXPECT_FALSE(engine::create(engine_config{}.with_stream_poll(-1ns)));
}

TEST(engine, address_is_local_without_a_remote_and_configurable) {
  EXPECT_EQ(make_engine()->address(), "local");
  auto e = engine::create(engine_config{}.with_address("127.0.0.1:7000").with_workers(1)).value();
  pid p = e->spawn_fn([](context&) {}, "k");
  EXPECT_EQ(p.address(), "127.0.0.1:7000");
}

TEST(engine, spawn_returns_a_registered_pid_with_kind_and_generated_id) {
  auto e = make_engine();
  pid a = e->spawn_fn([](context&) {}, "worker");
  pid b = e->spawn_fn([](context&) {}, "worker");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.id().substr(0, 7), "worker/");
  EXPECT_NE(a, b);
  EXPECT_EQ(e->lookup(a.id()), a);
}

TEST(engine, spawn_rejects_an_empty_kind_or_producer) {
  auto e = make_engine();
  EXPECT_EQ(e->try_spawn(make_fn_producer([](context&) {}), "").error(),
            hollywood::errc::invalid_argument);
  EXPECT_EQ(e->try_spawn(producer{}, "x").error(), hollywood::errc::invalid_argument);
  EXPECT_FALSE(e->spawn(producer{}, "x"));
}

TEST(engine, initialized_and_started_are_handled_before_any_message) {
  auto e = make_engine();
  recorder rec(*e);
  // Messages sent right after spawn returns are still handled after the lifecycle messages.
  for (int i = 0; i < 3; ++i)
    e->send(rec.pid(), ping{i});
  ASSERT_TRUE(rec.wait_count<ping>(3));
  EXPECT_EQ(rec.count<initialized>(), 1u);
  EXPECT_EQ(rec.count<started>(), 1u);
  auto pings = rec.all<ping>();
  ASSERT_EQ(pings.size(), 3u);
  // initialized, started, then the pings in order.
  std::vector<std::string> order;
  auto lifecycle_first = [&] {
    auto seen = rec.senders<initialized>();
    return !seen.empty();
  };
  EXPECT_TRUE(lifecycle_first());
}

TEST(engine, lifecycle_messages_come_first_in_arrival_order) {
  auto e = make_engine();
  std::vector<int> order;  // 0 initialized, 1 started, 2 ping
  std::mutex mu;
  std::atomic<int> pings{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        std::lock_guard lock(mu);
        if (ctx.is<initialized>()) order.push_back(0);
        if (ctx.is<started>()) order.push_back(1);
        if (ctx.is<ping>()) {
          order.push_back(2);
          pings.fetch_add(1);
        }
      },
      "ordered");
  e->send(p, ping{});
  e->send(p, ping{});
  ASSERT_TRUE(hollywood::test::wait_until([&] { return pings.load() == 2; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 2}));
}

TEST(engine, duplicate_id_spawns_nothing_returns_existing_and_publishes_an_event) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<int> instances{0};
  auto make = [&] {
    return make_fn_producer([&instances](context& ctx) {
      if (ctx.is<initialized>()) instances.fetch_add(1);
    });
  };
  pid first = e->spawn(make(), "svc", spawn_options{}.with_id("one"));
  pid second = e->spawn(make(), "svc", spawn_options{}.with_id("one"));
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.target(), second.target());
  ASSERT_TRUE(events.wait_for<actor_duplicate_id_event>(
      [&](const actor_duplicate_id_event& ev) { return ev.actor == first; }));
  ASSERT_TRUE(hollywood::test::wait_until([&] { return instances.load() >= 1; }));
  EXPECT_EQ(instances.load(), 1);
}

TEST(engine, an_engine_named_actor_never_takes_a_name_the_user_gave) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  auto quiet = [] { return make_fn_producer([](context&) {}); };
  const pid first = e->spawn(quiet(), "svc");
  const std::string_view id = first.id();
  const std::uint64_t number = std::stoull(std::string(id.substr(id.rfind('/') + 1)));
  // Take the next numbers the engine would hand out, as a user naming actors "svc/<n>" might.
  std::vector<pid> named;
  for (std::uint64_t n = number + 1; n <= number + 64; ++n)
    named.push_back(e->spawn(quiet(), "svc", spawn_options{}.with_id(std::to_string(n))));
  const pid next = e->spawn(quiet(), "svc");
  for (const pid& user : named) {
    EXPECT_NE(next.target(), user.target()) << user.id();
    EXPECT_NE(next.id(), user.id());
  }
  EXPECT_EQ(e->lookup(next.id()), next);
  e->stop(next).wait();
  EXPECT_EQ(events.count<actor_duplicate_id_event>(), 0U);
  // The user's actors are untouched: each is still the one registered under its name.
  for (const pid& user : named)
    EXPECT_EQ(e->lookup(user.id()).target(), user.target());
}

TEST(engine, users_naming_the_numbers_the_engine_is_handing_out_meanwhile_keep_them) {
  // A plain thread spawns numbered actors while another names actors "svc/<n>" for the numbers
  // just ahead of it: whoever registers first keeps the name, and no two actors ever share one.
  auto e = make_engine();
  auto quiet = [] { return make_fn_producer([](context&) {}); };
  const std::size_t before = e->stats().actors;
  const pid probe = e->spawn(quiet(), "svc");
  const std::uint64_t start = std::stoull(std::string(probe.id().substr(4)));
  constexpr std::uint64_t count = 3000;
  std::vector<pid> engine_named;
  std::vector<pid> user_named;
  std::latch together(2);  // both threads race from the first number on
  std::thread user([&] {
    together.arrive_and_wait();
    for (std::uint64_t n = start + count; n > start; n -= 2)
      user_named.push_back(e->spawn(quiet(), "svc", spawn_options{}.with_id(std::to_string(n))));
  });
  together.arrive_and_wait();
  for (std::uint64_t i = 0; i < count; ++i)
    engine_named.push_back(e->spawn(quiet(), "svc"));
  user.join();
  std::set<std::string> ids;
  std::set<const void*> targets;
  for (const pid& p : engine_named) {
    EXPECT_TRUE(ids.insert(std::string(p.id())).second) << p.id();
    targets.insert(p.target());
  }
  for (const pid& p : user_named) {
    // A user spawn that lost the race returns the engine's actor of that name (a duplicate).
    if (targets.insert(p.target()).second) {
      EXPECT_TRUE(ids.insert(std::string(p.id())).second);
    }
  }
  for (const pid& p : engine_named)
    EXPECT_EQ(e->lookup(p.id()).target(), p.target()) << p.id();
  for (const pid& p : user_named)
    EXPECT_EQ(e->lookup(p.id()).target(), p.target()) << p.id();
  EXPECT_EQ(e->stats().actors, before + 1 + targets.size());  // 1: the probe
}

TEST(engine, a_number_a_user_named_is_the_engines_again_once_that_actor_stopped) {
  auto e = make_engine();
  auto quiet = [] { return make_fn_producer([](context&) {}); };
  const pid probe = e->spawn(quiet(), "svc");
  const std::uint64_t number = std::stoull(std::string(probe.id().substr(4)));
  const pid user = e->spawn(quiet(), "svc", spawn_options{}.with_id(std::to_string(number + 1)));
  ASSERT_TRUE(e->stop(user).wait());
  EXPECT_FALSE(e->lookup(user.id()));
  // The reservation went with the actor: the engine's next number is the one the user had.
  EXPECT_EQ(e->spawn(quiet(), "svc").id(), "svc/" + std::to_string(number + 1));
}

TEST(engine, a_thread_spawning_on_two_engines_in_turn_keeps_numbering_each_in_one_run) {
  auto a = make_engine();
  auto b = make_engine();
  auto quiet = [] { return make_fn_producer([](context&) {}); };
  auto number_of = [](const pid& p) { return std::stoull(std::string(p.id().substr(4))); };
  std::uint64_t last_a = number_of(a->spawn(quiet(), "svc"));
  std::uint64_t last_b = number_of(b->spawn(quiet(), "svc"));
  int jumps = 0;  // a new run: once at most in 100 numbers, as a run has 256
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t next_a = number_of(a->spawn(quiet(), "svc"));
    const std::uint64_t next_b = number_of(b->spawn(quiet(), "svc"));
    jumps += (next_a != last_a + 1 ? 1 : 0) + (next_b != last_b + 1 ? 1 : 0);
    last_a = next_a;
    last_b = next_b;
  }
  EXPECT_LE(jumps, 2);
}

TEST(engine, send_to_the_empty_pid_is_a_noop) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  e->send(pid{}, ping{});
  const auto before = e->stats().dead_letters;
  e->send(pid{}, ping{});
  EXPECT_EQ(e->stats().dead_letters, before);
}

TEST(engine, send_to_an_unknown_pid_publishes_a_dead_letter_with_target_message_and_sender) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  pid ghost("local", "ghost/1");
  e->send_with_sender(ghost, ping{9}, e->root());
  ASSERT_TRUE(events.wait_count<dead_letter_event>(1));
  auto dl = events.all<dead_letter_event>().front();
  EXPECT_EQ(dl.target, ghost);
  EXPECT_EQ(dl.sender, e->root());
  EXPECT_EQ(dl.reason, dead_letter_reason::unknown_target);
  ASSERT_TRUE(dl.message->is<ping>());
  EXPECT_EQ(dl.message->get<ping>().seq, 9);
  EXPECT_GE(e->stats().dead_letters, 1u);
}

TEST(engine, a_dead_letter_rewrite_shows_the_wrapped_message_and_its_real_target) {
  struct envelope {
    std::string to;
    ping inner;
  };
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  e->set_dead_letter_rewrite([](pid& target, message& m) {
    if (const auto* env = m.get_if<envelope>()) {
      target = pid("local", env->to);
      m = message(env->inner);
    }
  });
  e->send(pid("local", "router/1"), envelope{"player/7", ping{3}});
  e->send(pid("local", "router/1"), ping{4});  // not an envelope: shown as it is
  ASSERT_TRUE(events.wait_count<dead_letter_event>(2));
  auto all = events.all<dead_letter_event>();
  EXPECT_EQ(all[0].target.id(), "player/7");
  ASSERT_TRUE(all[0].message->is<ping>());
  EXPECT_EQ(all[0].message->get<ping>().seq, 3);
  EXPECT_EQ(all[1].target.id(), "router/1");
  EXPECT_EQ(all[1].message->get<ping>().seq, 4);
  e->set_dead_letter_rewrite({});
  e->send(pid("local", "router/1"), envelope{"player/8", ping{5}});
  ASSERT_TRUE(events.wait_count<dead_letter_event>(3));
  EXPECT_TRUE(events.all<dead_letter_event>()[2].message->is<envelope>());
}

TEST(engine, a_pid_made_from_strings_reaches_the_live_actor) {
  auto e = make_engine();
  recorder rec(*e);
  e->send(pid("local", rec.pid().id()), ping{1});
  EXPECT_TRUE(rec.wait_count<ping>(1));
}

TEST(engine, send_to_a_stopped_actor_publishes_a_dead_letter) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  pid p = e->spawn_fn([](context&) {}, "short");
  ASSERT_TRUE(e->stop(p).wait());
  e->send(p, ping{5});
  ASSERT_TRUE(events.wait_for<dead_letter_event>([&](const dead_letter_event& d) {
    return d.target == p && d.message->is<ping>() && d.reason == dead_letter_reason::stopped;
  }));
}

TEST(engine, messages_from_one_sender_arrive_in_order) {
  auto e = make_engine();
  recorder rec(*e);
  constexpr int n = 10000;
  for (int i = 0; i < n; ++i)
    e->send(rec.pid(), ping{i});
  ASSERT_TRUE(rec.wait_count<ping>(n));
  auto all = rec.all<ping>();
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(all[static_cast<std::size_t>(i)].seq, i);
}

TEST(engine, a_caught_up_actor_that_waits_between_looks_loses_and_reorders_nothing) {
  // Senders streaming in bursts with pauses between them drive the adaptive wait up and back
  // down; with a wait as long as 50 us every message must still arrive, in order per sender.
  for (std::chrono::nanoseconds poll : {0ns, 1000ns, 50000ns}) {
    auto e = engine::create(engine_config{}.with_workers(1).with_spin(200us).with_stream_poll(poll))
                 .value();
    recorder rec(*e);
    constexpr int senders = 3;
    constexpr int bursts = 20;
    constexpr int burst = 500;
    std::vector<std::thread> threads;
    for (int s = 0; s < senders; ++s) {
      threads.emplace_back([&, s] {
        for (int b = 0; b < bursts; ++b) {
          for (int i = 0; i < burst; ++i)
            e->send(rec.pid(), ping{s * bursts * burst + b * burst + i});
          std::this_thread::yield();
        }
      });
    }
    for (auto& t : threads)
      t.join();
    ASSERT_TRUE(rec.wait_count<ping>(senders * bursts * burst)) << "stream_poll " << poll.count();
    std::vector<int> last(senders, -1);
    for (const ping& p : rec.all<ping>()) {
      const int s = p.seq / (bursts * burst);
      ASSERT_GT(p.seq, last[static_cast<std::size_t>(s)]);
      last[static_cast<std::size_t>(s)] = p.seq;
    }
  }
}

TEST(engine, sender_is_empty_from_the_engine_the_actor_from_a_context_and_as_given_otherwise) {
  auto e = make_engine();
  recorder rec(*e);
  e->send(rec.pid(), ping{0});
  pid relay = e->spawn_fn(
      [&rec](context& ctx) {
        if (ctx.is<pong>()) ctx.send(rec.pid(), ping{1});
      },
      "relay");
  e->send(relay, pong{});
  e->send_with_sender(rec.pid(), ping{2}, e->root());
  ASSERT_TRUE(rec.wait_count<ping>(3));
  auto pings = rec.all<ping>();
  auto senders = rec.senders<ping>();
  for (std::size_t i = 0; i < pings.size(); ++i) {
    if (pings[i].seq == 0) {
      EXPECT_FALSE(senders[i]);
    }
    if (pings[i].seq == 1) {
      EXPECT_EQ(senders[i], relay);
    }
    if (pings[i].seq == 2) {
      EXPECT_EQ(senders[i], e->root());
    }
  }
}

TEST(engine, root_receives_what_actors_send_back_to_it) {
  auto e = make_engine();
  pid echo = e->spawn_fn(
      [](context& ctx) {
        if (auto* p = ctx.get_if<ping>()) ctx.respond(pong{p->seq + 1});
      },
      "echo");
  e->send_with_sender(echo, ping{41}, e->root());
  auto reply = e->receive(30s);
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->msg.is<pong>());
  EXPECT_EQ(reply->msg.get<pong>().seq, 42);
  EXPECT_EQ(reply->sender, echo);
  EXPECT_EQ(e->receive(1ms).error(), hollywood::errc::timeout);
}

TEST(engine, respond_without_a_sender_is_harmless) {
  auto e = make_engine();
  recorder events(*e);
  e->subscribe(events.pid());
  std::atomic<bool> done{false};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<ping>()) {
          ctx.respond(pong{});
          done = true;
        }
      },
      "silent");
  const auto before = e->stats().dead_letters;
  e->send(p, ping{});
  ASSERT_TRUE(hollywood::test::wait_until([&] { return done.load(); }));
  EXPECT_EQ(e->stats().dead_letters, before);
}

TEST(engine, forward_keeps_the_original_sender) {
  auto e = make_engine();
  recorder rec(*e);
  pid middle = e->spawn_fn(
      [&rec](context& ctx) {
        if (ctx.is<ping>()) ctx.forward(rec.pid());
      },
      "middle");
  e->send_with_sender(middle, ping{3}, e->root());
  ASSERT_TRUE(rec.wait_count<ping>(1));
  EXPECT_EQ(rec.senders<ping>().front(), e->root());
  EXPECT_EQ(rec.all<ping>().front().seq, 3);
}

TEST(engine, lookup_finds_actors_by_kind_and_id_and_lists_pids_by_kind) {
  auto e = make_engine();
  pid a = e->spawn_fn([](context&) {}, "cache", spawn_options{}.with_id("a"));
  pid b = e->spawn_fn([](context&) {}, "cache", spawn_options{}.with_id("b"));
  e->spawn_fn([](context&) {}, "other");
  EXPECT_EQ(e->lookup("cache", "a"), a);
  EXPECT_EQ(e->lookup("cache/b"), b);
  EXPECT_FALSE(e->lookup("cache", "zzz"));
  auto caches = e->pids("cache");
  EXPECT_EQ(caches.size(), 2u);
  ASSERT_TRUE(e->stop(a).wait());
  EXPECT_FALSE(e->lookup("cache", "a"));
  EXPECT_EQ(e->pids("cache").size(), 1u);
}

TEST(engine, lookup_stays_exact_while_the_registry_grows_and_shrinks) {
  // Enough actors that every registry shard doubles several times, then stopping every other
  // one shrinks them again and leaves long probe runs with holes: each lookup must still find
  // exactly the live actor and nothing for the stopped ones.
  auto e = make_engine();
  constexpr int count = 20000;
  std::vector<pid> pids;
  pids.reserve(count);
  for (int i = 0; i < count; ++i) {
    pids.push_back(
        e->spawn_fn([](context&) {}, "slot", spawn_options{}.with_id(std::to_string(i))));
  }
  for (int i = 0; i < count; ++i)
    ASSERT_EQ(e->lookup("slot", std::to_string(i)), pids[i]) << i;
  std::vector<completion> stops;
  for (int i = 0; i < count; i += 2)
    stops.push_back(e->stop(pids[i]));
  for (auto& s : stops)
    ASSERT_TRUE(s.wait());
  for (int i = 0; i < count; ++i) {
    if (i % 2 == 0) {
      ASSERT_FALSE(e->lookup("slot", std::to_string(i))) << i;
    } else {
      ASSERT_EQ(e->lookup("slot", std::to_string(i)), pids[i]) << i;
    }
  }
  EXPECT_EQ(e->pids("slot").size(), static_cast<std::size_t>(count / 2));
  // The freed IDs can be taken again, and a taken one still refuses a second actor.
  pid again = e->spawn_fn([](context&) {}, "slot", spawn_options{}.with_id("0"));
  EXPECT_EQ(e->lookup("slot", "0"), again);
  EXPECT_EQ(e->spawn_fn([](context&) {}, "slot", spawn_options{}.with_id("1")), pids[1]);
}

TEST(engine, numbered_ids_are_found_exactly_however_they_were_named) {
  // The registry finds the IDs the engine makes by their number; names the engine made and names
  // a user gave must still meet, and numbers that read alike must stay apart.
  auto e = make_engine();
  pid automatic = e->spawn_fn([](context&) {}, "job");
  const std::string number(automatic.id().substr(std::string_view("job/").size()));
  EXPECT_EQ(e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id(number)), automatic);
  EXPECT_EQ(e->lookup("job", number), automatic);
  pid seven = e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id("7"));
  pid padded = e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id("007"));
  const std::string long_digits(25, '9');  // more digits than a 64-bit number holds
  pid huge = e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id(long_digits));
  pid huge_less = e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id(long_digits + "8"));
  EXPECT_NE(seven, padded);
  EXPECT_NE(huge, huge_less);
  EXPECT_EQ(e->lookup("job", "7"), seven);
  EXPECT_EQ(e->lookup("job", "007"), padded);
  EXPECT_EQ(e->lookup("job", long_digits), huge);
  EXPECT_EQ(e->lookup("job", long_digits + "8"), huge_less);
  // The largest 64-bit number has 20 digits; one more does not fit and is hashed as text.
  pid largest =
      e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id("18446744073709551615"));
  pid past = e->spawn_fn([](context&) {}, "job", spawn_options{}.with_id("18446744073709551616"));
  EXPECT_NE(largest, past);
  EXPECT_EQ(e->lookup("job", "18446744073709551615"), largest);
  EXPECT_EQ(e->lookup("job", "18446744073709551616"), past);
  EXPECT_FALSE(e->lookup("job", "70"));
}

TEST(engine, an_actor_never_runs_two_handlers_at_once) {
  auto e = make_engine(2);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> handled{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (!ctx.is<ping>()) return;
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        inside.fetch_sub(1);
        handled.fetch_add(1);
      },
      "serial");
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < 5000; ++i)
        e->send(p, ping{i});
    });
  }
  for (auto& t : senders)
    t.join();
  ASSERT_TRUE(hollywood::test::wait_until([&] { return handled.load() == 20000; }));
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(engine, stats_report_processed_messages_and_inbox_depth) {
  auto e = make_engine();
  std::atomic<int> seen{0};
  pid p = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<ping>()) seen.fetch_add(1);
      },
      "counted", spawn_options{}.with_id("c"));
  for (int i = 0; i < 100; ++i)
    e->send(p, ping{i});
  ASSERT_TRUE(hollywood::test::wait_until([&] { return seen.load() == 100; }));
  // A message leaves the inbox just after its handler returned: wait for that too.
  ASSERT_TRUE(hollywood::test::wait_until([&] {
    for (const auto& a : e->stats().per_actor) {
      if (a.pid == p) return (a.processed == 102 || a.processed == 100) && a.inbox_depth == 0;
    }
    return false;
  }));
  auto s = e->stats();
  EXPECT_EQ(s.workers, 2u);
  EXPECT_GE(s.actors, 2u);  // ours and the event stream
  for (const auto& a : s.per_actor) {
    if (a.pid == p) {
      EXPECT_EQ(a.processed, 100u);
      EXPECT_EQ(a.inbox_depth, 0u);
      EXPECT_EQ(a.restarts, 0u);
    }
  }
}

TEST(engine, a_large_message_travels_intact) {
  auto e = make_engine();
  recorder rec(*e);
  std::vector<int> payload(10000);
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<int>(i);
  e->send(rec.pid(), payload);
  ASSERT_TRUE(rec.wait_count<std::vector<int>>(1));
  EXPECT_EQ(rec.all<std::vector<int>>().front(), payload);
}

}  // namespace
