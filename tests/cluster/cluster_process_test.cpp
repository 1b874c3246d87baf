// SPDX-License-Identifier: MIT
// Failover with real `hollywood node` processes on loopback (embedded provider): kill -9 and
// SIGSTOP of an owner, and single activation checked from every member's log of handled
// messages. The test process joins as a member that hosts no kinds, and drives the traffic.
#include "cluster_fixture.hpp"
#include "node.pb.h"
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace hollywood::test {
namespace {

using namespace std::chrono_literals;

struct process_cluster {
  std::string dir;
  std::vector<std::string> seeds;
  std::vector<std::unique_ptr<node_process>> nodes;
  remote_node driver;
  std::unique_ptr<cluster::cluster> c;

  explicit process_cluster(std::size_t n) {
    char tmpl[] = "/tmp/hollywood-cluster-XXXXXX";
    dir = ::mkdtemp(tmpl);
    for (std::size_t i = 0; i < n; ++i)
      seeds.push_back(unused_address());
    std::string list;
    for (const auto& s : seeds)
      list += (list.empty() ? "" : ",") + s;
    for (std::size_t i = 0; i < n; ++i) {
      nodes.push_back(std::make_unique<node_process>(std::vector<std::string>{
          "--name", "n" + std::to_string(i), "--listen", seeds[i], "--kinds", "echo", "--cluster",
          "embedded", "--seeds", list, "--handled-log", dir + "/n" + std::to_string(i) + ".log"}));
    }
    auto types = test_types();
    (void)types->add_protobuf<node::Visit>();
    (void)types->add_protobuf<node::VisitAck>();
    driver = make_node(fast_config(), types);
    auto r = cluster::cluster::create(
        *driver.engine, *driver.net,
        cluster::cluster_config{}.with_name("driver").with_embedded(seeds));
    EXPECT_TRUE(r);
    if (r) c = std::move(*r);
  }
  ~process_cluster() {
    c.reset();
    nodes.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// Visits `id`; returns the member that handled it ("" on timeout or error).
  std::string visit(const std::string& id, std::uint64_t seq,
                    std::chrono::milliseconds timeout = 2s) {
    node::Visit v;
    v.set_seq(seq);
    auto m = c->activate("entity", id).request(v, timeout).get();
    if (!m) return {};
    auto* ack = m->template get_if<node::VisitAck>();
    return ack != nullptr ? ack->member() : std::string();
  }

  /// For every identity, the members that handled it must form runs that never come back:
  /// A A B B is a hand-over, A B A is two activations at once.
  [[nodiscard]] std::vector<std::string> interleavings() const {
    std::map<std::string, std::vector<std::pair<long long, std::string>>> by_id;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(f.path());
      std::string id, member;
      unsigned long long inc = 0;
      long long wall = 0;
      unsigned long long seq = 0;
      while (in >> id >> member >> inc >> wall >> seq) {
        by_id[id].emplace_back(wall, member + "#" + std::to_string(inc));
      }
    }
    std::vector<std::string> bad;
    for (auto& [id, entries] : by_id) {
      std::sort(entries.begin(), entries.end());
      std::vector<std::string> runs;
      for (const auto& [wall, who] : entries) {
        if (runs.empty() || runs.back() != who) runs.push_back(who);
      }
      std::set<std::string> seen;
      for (const auto& who : runs) {
        if (!seen.insert(who).second) bad.push_back(id + " handled by " + who + " again");
      }
    }
    return bad;
  }
};

bool members_seen(process_cluster& pc, std::size_t n) {
  return pc.c->members().size() == n;
}

TEST(cluster_process, kill_9_of_an_owner_moves_its_identities_within_8_seconds) {
  process_cluster pc(3);
  ASSERT_TRUE(wait_until([&] { return members_seen(pc, 4); }));
  std::map<std::string, std::string> owner;
  std::uint64_t seq = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string id = "k" + std::to_string(i);
    owner[id] = pc.visit(id, ++seq, 10s);
    ASSERT_FALSE(owner[id].empty()) << id;
  }
  const std::string victim = owner["k0"];
  const std::size_t index = static_cast<std::size_t>(victim[1] - '0');
  const auto killed_at = std::chrono::steady_clock::now();
  pc.nodes[index]->kill(SIGKILL);
  // Every identity answers again, none from the dead member.
  for (auto& [id, who] : owner) {
    std::string now;
    ASSERT_TRUE(wait_until(
        [&] {
          now = pc.visit(id, ++seq, 1s);
          return !now.empty();
        },
        20s))
        << id;
    EXPECT_NE(now, victim) << id;
  }
  const auto failover = std::chrono::steady_clock::now() - killed_at;
  std::printf("kill -9 failover (embedded): %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(failover).count()));
  EXPECT_LT(failover, 8s);
  EXPECT_TRUE(pc.interleavings().empty());
}

TEST(cluster_process, a_frozen_owner_is_replaced_and_fences_itself_when_it_thaws) {
  process_cluster pc(3);
  ASSERT_TRUE(wait_until([&] { return members_seen(pc, 4); }));
  std::map<std::string, std::string> owner;
  std::uint64_t seq = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string id = "s" + std::to_string(i);
    owner[id] = pc.visit(id, ++seq, 10s);
    ASSERT_FALSE(owner[id].empty()) << id;
  }
  const std::string victim = owner["s0"];
  const std::size_t index = static_cast<std::size_t>(victim[1] - '0');
  pc.nodes[index]->signal(SIGSTOP);
  const auto frozen_at = std::chrono::steady_clock::now();
  // It still accepts TCP while frozen; only the heartbeats tell. Others take over.
  std::string now;
  ASSERT_TRUE(wait_until(
      [&] {
        now = pc.visit("s0", ++seq, 1s);
        return !now.empty();
      },
      20s));
  EXPECT_NE(now, victim);
  EXPECT_LT(std::chrono::steady_clock::now() - frozen_at, 8s);
  // Keep visiting while it is frozen, then thaw it and keep visiting: whatever it had queued
  // must not be handled by its old incarnation alongside the new owner.
  while (std::chrono::steady_clock::now() - frozen_at < 10s) {
    for (const auto& [id, who] : owner)
      pc.c->activate("entity", id).send([&] {
        node::Visit v;
        v.set_seq(++seq);
        return v;
      }());
    std::this_thread::sleep_for(200ms);  // pacing the traffic, not waiting for a result
  }
  pc.nodes[index]->signal(SIGCONT);
  ASSERT_TRUE(wait_until([&] { return members_seen(pc, 4); }, 20s)) << "it rejoins: " << [&] {
    std::string s;
    for (const auto& m : pc.c->members())
      s += m.name + "#" + std::to_string(m.incarnation) + " ";
    return s;
  }();
  for (const auto& [id, who] : owner) {
    ASSERT_TRUE(wait_until([&] { return !pc.visit(id, ++seq, 1s).empty(); }, 20s)) << id;
  }
  const auto bad = pc.interleavings();
  EXPECT_TRUE(bad.empty()) << bad.front();
}

}  // namespace
}  // namespace hollywood::test
