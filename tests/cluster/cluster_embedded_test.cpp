// SPDX-License-Identifier: MIT
// Embedded-provider clusters of engines in one process, over real loopback sockets.
#include <hollywood/actor/log.hpp>

#include "cluster.pb.h"
#include "cluster_fixture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <set>
#include <thread>

namespace hollywood::test {
namespace {

using namespace std::chrono_literals;

/// Sends a greeting through `via` every 5 ms, to ten identities in turn, until `finish()`: a
/// stream that keeps routing through one member, as a member that has not heard of its leave
/// would.
class paced_sender {
 public:
  paced_sender(cluster::cluster& via, std::string prefix)
      : thread_([this, &via, prefix = std::move(prefix)] {
          while (!stop_.load(std::memory_order_relaxed)) {  // relaxed: join() orders the rest
            via.activate("greeter", prefix + std::to_string(sent_.load() % 10)).send(greeting("x"));
            sent_.fetch_add(1);
            std::this_thread::sleep_for(5ms);  // the sender's pace
          }
        }) {}
  paced_sender(const paced_sender&) = delete;
  paced_sender& operator=(const paced_sender&) = delete;
  ~paced_sender() { finish(); }

  [[nodiscard]] int sent() const { return sent_.load(); }
  /// Stops sending and returns how many were sent.
  int finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return sent_.load();
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;  // last: it starts once the counters exist
};

/// Leaves through `c`; returns how long `leave()` took (the drain and the linger).
std::chrono::steady_clock::duration timed_leave(cluster::cluster& c) {
  const auto t0 = std::chrono::steady_clock::now();
  c.leave();
  return std::chrono::steady_clock::now() - t0;
}

TEST(cluster_embedded, members_join_and_open_their_fence) {
  handling_log log;
  auto ms = make_cluster(3, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 3); }));
  for (auto& m : ms) {
    std::set<std::string> names;
    for (const auto& info : m.c->members())
      names.insert(info.name);
    EXPECT_EQ(names, (std::set<std::string>{"m0", "m1", "m2"}));
  }
}

TEST(cluster_embedded, a_member_heard_of_only_through_gossip_comes_with_its_kinds) {
  handling_log log;
  auto ms = make_cluster(1, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 1); }));
  // A stand-in member "f" tells m0 of "g", which never speaks for itself: m0 can only know what
  // g hosts from f's view, and must place g's shards on it like everyone who heard from g.
  auto types = test_types();
  ASSERT_TRUE(types->add_protobuf<cluster::Heartbeat>());
  auto f = make_node(fast_config(), types);
  auto member = [](cluster::Member& m, const std::string& name, const std::string& address) {
    m.set_name(name);
    m.set_address(address);
    m.set_incarnation(1);
    m.add_kinds("greeter");
  };
  cluster::Heartbeat h;
  h.set_cluster(cluster::cluster_config{}.cluster_name);
  h.set_shard_count(cluster::cluster_config{}.shard_count);
  member(*h.mutable_from(), "f", f.address());
  member(*h.add_members(), "g", "127.0.0.1:1");  // nobody listens there
  f.engine->send(actor::pid(ms[0].node.address(), "cluster/membership"), std::move(h));
  std::vector<cluster::member_info> view;
  ASSERT_TRUE(wait_until([&] {
    view = ms[0].c->members();  // f and g are declared dead again soon: keep the first view
    return view.size() == 3;
  }));
  for (const auto& m : view)
    EXPECT_EQ(m.kinds, std::vector<std::string>{"greeter"}) << m.name;
}

TEST(cluster_embedded, every_member_reaches_one_activation_per_identity) {
  handling_log log;
  auto ms = make_cluster(3, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 3); }));
  constexpr int ids = 30;
  std::map<std::string, std::set<std::string>> answers;
  for (int i = 0; i < ids; ++i) {
    const std::string id = "p" + std::to_string(i);
    for (auto& m : ms)
      answers[id].insert(ask(*m.c, id));
  }
  std::set<std::string> owners;
  for (const auto& [id, set] : answers) {
    ASSERT_EQ(set.size(), 1U) << id << " answered by " << fmt::format("{}", fmt::join(set, ", "));
    const std::string& a = *set.begin();
    EXPECT_EQ(a.substr(a.find('|') + 1), "greeter/" + id) << "identity_of in initialized";
    owners.insert(a.substr(0, a.find('|')));
  }
  EXPECT_EQ(owners.size(), 3U) << "30 identities over 3 members should use every member";
  std::uint64_t activations = 0;
  for (auto& m : ms)
    activations += m.c->stats().activations;
  EXPECT_EQ(activations, std::uint64_t{ids});
  std::lock_guard lock(log.mu);
  for (const auto& [key, count] : log.initialized)
    EXPECT_EQ(count, 1) << key;
}

TEST(cluster_embedded, messages_wait_while_no_member_hosts_the_kind_yet) {
  handling_log log;
  auto ms = make_cluster(1, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 1); }));
  // A kind nobody hosts: the message waits (bounded) instead of failing at once.
  ms[0].c->activate("nobody", "1").send(greeting("x"));
  ms[0].c->activate("greeter", "1").send(greeting("x"));
  ASSERT_TRUE(wait_until([&] { return log.count() == 1; }));
  EXPECT_EQ(ms[0].c->stats().dead_letters, 0U);
}

TEST(cluster_embedded, messages_still_waiting_when_the_member_stops_become_dead_letters) {
  handling_log log;
  auto ms = make_cluster(1, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 1); }));
  recorder events(*ms[0].node.engine);
  ms[0].node.engine->subscribe(events.pid());
  // Nobody hosts "nobody": these wait in the host until the member goes.
  for (int i = 0; i < 3; ++i)
    ms[0].c->activate("nobody", std::to_string(i)).send(greeting("x"));
  ms[0].c.reset();  // leaves, then stops the host after the messages it already queued
  ASSERT_TRUE(wait_until([&] {
    std::size_t n = 0;
    for (const auto& d : events.all<actor::dead_letter_event>())
      n += d.reason == actor::dead_letter_reason::stopped && d.message->is<Greeting>() ? 1 : 0;
    return n == 3;
  })) << events.count<actor::dead_letter_event>()
      << " dead letters";
  for (const auto& d : events.all<actor::dead_letter_event>()) {
    if (d.message->is<Greeting>()) {
      EXPECT_EQ(d.target.id().substr(0, 7), "nobody/");
    }
  }
}

TEST(cluster_embedded, graceful_leave_hands_shards_off_without_loss_or_detection_delay) {
  handling_log log;
  auto ms = make_cluster(3, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 3); }));
  constexpr int ids = 40;
  for (int i = 0; i < ids; ++i)
    ms[0].c->activate("greeter", "g" + std::to_string(i)).send(greeting("a"));
  ASSERT_TRUE(wait_until([&] { return log.count() == ids; }));
  const auto t0 = std::chrono::steady_clock::now();
  ms[2].c->leave();
  ASSERT_TRUE(
      wait_until([&] { return ms[0].c->members().size() == 2 && ms[1].c->members().size() == 2; }));
  // The shards were handed off, not taken over from a member gone silent; and the leave took
  // nothing like a detection's worth of time (sanitizers on 2 cores: a generous bound).
  EXPECT_EQ(ms[0].c->stats().failovers + ms[1].c->stats().failovers, 0U);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  for (int i = 0; i < ids; ++i) {
    const auto a = ask(*ms[i % 2].c, "g" + std::to_string(i));
    EXPECT_NE(a.rfind("m2|", 0), 0U) << a;
    EXPECT_EQ(a.find("error"), std::string::npos) << a;
  }
  EXPECT_EQ(log.count(), 2U * ids);
  for (auto& m : ms)
    EXPECT_EQ(m.c->stats().dead_letters, 0U);
}

TEST(cluster_embedded, an_isolated_member_fences_itself_and_its_identities_move) {
  handling_log log;
  auto ms = make_cluster(3, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 3); }));
  // Find identities owned by m2.
  std::vector<std::string> on_m2;
  for (int i = 0; on_m2.size() < 5 && i < 200; ++i) {
    const std::string id = "x" + std::to_string(i);
    if (ask(*ms[0].c, id).rfind("m2|", 0) == 0) on_m2.push_back(id);
  }
  ASSERT_EQ(on_m2.size(), 5U);
  // Cut m2 off the network: it hears nobody, nobody hears it.
  ms[2].node.net->stop();
  ASSERT_TRUE(wait_until([&] { return !ms[2].c->serving(); }, 5s)) << "m2 must fence itself";
  ASSERT_TRUE(
      wait_until([&] { return ms[0].c->members().size() == 2 && ms[1].c->members().size() == 2; }));
  for (const auto& id : on_m2) {
    const auto a = ask(*ms[1].c, id);
    EXPECT_TRUE(a.rfind("m0|", 0) == 0 || a.rfind("m1|", 0) == 0) << a;
  }
}

TEST(cluster_embedded, idle_activations_passivate_and_come_back) {
  handling_log log;
  auto ms = make_cluster(1, log, 200ms);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 1); }));
  EXPECT_EQ(ask(*ms[0].c, "sleepy"), "m0|greeter/sleepy");
  ASSERT_TRUE(wait_until([&] { return ms[0].c->stats().passivations == 1; }));
  EXPECT_EQ(ask(*ms[0].c, "sleepy"), "m0|greeter/sleepy");
  EXPECT_EQ(ms[0].c->stats().activations, 2U);
}

TEST(cluster_embedded, a_leaving_member_forwards_what_still_reaches_it_until_it_stops) {
  handling_log log;
  auto ms = make_cluster(3, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 3); }));
  paced_sender sender(*ms[2].c, "late");
  ASSERT_TRUE(wait_until([&] { return sender.sent() >= 10; }));
  // Default linger: until 200 ms pass without arrivals, at most 2 s.
  const auto lingered = timed_leave(*ms[2].c);
  const int sent = sender.finish();
  EXPECT_GE(lingered, cluster::default_leave_linger);  // arrivals never stopped
  EXPECT_LT(lingered, cluster::default_leave_linger + 5s);
  ASSERT_TRUE(wait_until([&] { return log.count() == static_cast<std::size_t>(sent); }))
      << log.count() << " of " << sent << " handled; per member " << [&] {
           // Where the rest waited. These counts found the leaving member burying its peers
           // (a_leaving_member_keeps_its_view_for_the_whole_linger covers that).
           std::string where;
           for (auto& m : ms) {
             const auto st = m.c->stats();
             where += fmt::format(
                 "[{}: owns {} shards, acquired {}, released {}, forwarded {}, activations {}, "
                 "dead letters {}] ",
                 m.c->name(), st.shards_owned, st.shards_acquired, st.shards_released, st.forwarded,
                 st.activations, st.dead_letters);
           }
           return where;
         }();
  for (auto& m : ms)
    EXPECT_EQ(m.c->stats().dead_letters, 0U);
}

TEST(cluster_embedded, a_leaving_member_keeps_its_view_for_the_whole_linger) {
  // A leaving member no longer reads heartbeats. If it still ran failure detection, its peers
  // would look silent and be buried after silence limit + suspicion timeout (600 ms here), well
  // inside the 2 s linger, and everything arriving after that would wait for an owner until the
  // pending timeout. With one peer the detector trusts itself, so this happened on every run.
  // m0 is the only seed, so it keeps its fence (and serves) once m1 is gone.
  handling_log log;
  auto ms = make_cluster(2, log, {}, [](cluster::cluster_config c, std::vector<std::string> all) {
    return c.with_embedded(fast_embedded({all.front()}));
  });
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 2); }));
  paced_sender sender(*ms[1].c, "stay");
  ASSERT_TRUE(wait_until([&] { return sender.sent() >= 10; }));
  // Arrivals never pause, so it lingers the full default_leave_linger (2 s).
  const auto lingered = timed_leave(*ms[1].c);
  const auto view = ms[1].c->members();
  const int sent = sender.finish();
  // A linger cut short by a stalled sender would end before the detector could act.
  EXPECT_GE(lingered, cluster::default_leave_linger);
  ASSERT_EQ(view.size(), 1U) << "the leaving member dropped its peer from its view";
  EXPECT_EQ(view.front().name, "m0");
  // Far below the 30 s pending timeout: nothing waited for an owner.
  EXPECT_TRUE(wait_until([&] { return log.count() == static_cast<std::size_t>(sent); }, 10s))
      << log.count() << " of " << sent << " handled";
  EXPECT_EQ(ms[1].c->stats().dead_letters, 0U);
}

TEST(cluster_embedded, a_leave_linger_without_a_quiet_spell_is_refused) {
  auto n = make_node();
  auto c = cluster::cluster::create(
      *n.engine, *n.net, cluster::cluster_config{}.with_name("x").with_leave_linger(0ms, 1s));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), errc::invalid_config);
}

TEST(cluster_embedded, a_member_with_another_shard_count_is_refused) {
  handling_log log;
  auto ms = make_cluster(2, log);
  ASSERT_TRUE(wait_until([&] { return all_see(ms, 2); }));
  std::mutex mu;
  bool refused = false;
  actor::set_log_sink([&](actor::log_level, std::string_view text) {
    std::lock_guard lock(mu);
    if (text.find("shard count") != std::string_view::npos) refused = true;
  });
  auto odd = make_node();
  std::vector<std::string> seeds{ms[0].node.address(), ms[1].node.address()};
  auto c =
      cluster::cluster::create(*odd.engine, *odd.net,
                               cluster::cluster_config{}
                                   .with_name("odd")
                                   .with_shard_count(128)
                                   .with_kind("greeter", actor::make_producer<greeter>(&log, "odd"))
                                   .with_embedded(fast_embedded(seeds)));
  ASSERT_TRUE(c);
  EXPECT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return refused;
  }));
  actor::set_log_sink({});
  EXPECT_EQ(ms[0].c->members().size(), 2U);
  EXPECT_FALSE((*c)->serving());
}

}  // namespace
}  // namespace hollywood::test
