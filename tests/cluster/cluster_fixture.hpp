// SPDX-License-Identifier: MIT
#pragma once

// Cluster members in one test process: engines with remotes on loopback, the embedded provider
// with short timings so failure tests finish quickly.

#include <hollywood/cluster.hpp>

#include "remote_fixture.hpp"

#include <functional>
#include <hollywood_test/wait.hpp>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hollywood::test {

/// Who handled what, shared by every member of a test (the activations write into it).
struct handling_log {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> members_by_id;  // id -> member per message
  std::map<std::string, int> initialized;                         // "member|kind/id" -> count
  std::size_t handled = 0;

  void note(const std::string& id, const std::string& member) {
    std::lock_guard lock(mu);
    members_by_id[id].push_back(member);
    ++handled;
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return handled;
  }
};

/// An activation: answers a Greeting with the member that handled it, in `text`, and the
/// identity it serves (from `initialized`) in `n`'s place as a check.
struct greeter : actor::receiver {
  handling_log* log;
  std::string member;
  std::string identity_seen;
  greeter(handling_log* l, std::string m) : log(l), member(std::move(m)) {}
  void receive(actor::context& ctx) override {
    if (ctx.is<actor::initialized>()) {
      auto who = cluster::identity_of(ctx);
      identity_seen = who ? who->kind + "/" + who->id : "?";
      std::lock_guard lock(log->mu);
      ++log->initialized[member + "|" + identity_seen];
    } else if (auto* g = ctx.get_if<Greeting>()) {
      log->note(identity_seen, member);
      if (ctx.sender()) ctx.respond(greeting(member + "|" + identity_seen, g->n()));
    }
  }
};

inline cluster::embedded_config fast_embedded(std::vector<std::string> seeds) {
  cluster::embedded_config e;
  e.seeds = std::move(seeds);
  e.heartbeat_interval = std::chrono::milliseconds(100);
  e.suspect_after_misses = 3;
  e.suspicion_timeout = std::chrono::milliseconds(300);
  e.fence_window = std::chrono::milliseconds(250);
  return e;
}

struct cluster_member {
  remote_node node;
  std::unique_ptr<cluster::cluster> c;
};

/// Picks the provider of a test cluster, given every member's address.
using provider_choice =
    std::function<cluster::cluster_config(cluster::cluster_config, std::vector<std::string>)>;

inline cluster::cluster_config embedded_provider(cluster::cluster_config c,
                                                 std::vector<std::string> seeds) {
  return c.with_embedded(fast_embedded(std::move(seeds)));
}

/// `n` members named m0.., every one hosting "greeter" (for the embedded provider, all of them
/// seeds).
inline std::vector<cluster_member> make_cluster(
    std::size_t n, handling_log& log, std::chrono::milliseconds ttl = {},
    const provider_choice& provider = embedded_provider) {
  std::vector<cluster_member> ms(n);
  std::vector<std::string> seeds;
  for (auto& m : ms) {
    m.node = make_node();
    seeds.push_back(m.node.address());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = "m" + std::to_string(i);
    auto cfg = provider(cluster::cluster_config{}.with_name(name).with_kind(
                            "greeter", actor::make_producer<greeter>(&log, name), ttl),
                        seeds);
    cfg.tick = std::chrono::milliseconds(50);
    auto c = cluster::cluster::create(*ms[i].node.engine, *ms[i].node.net, cfg);
    EXPECT_TRUE(c) << (c ? "" : c.error().message());
    if (c) ms[i].c = std::move(*c);
  }
  return ms;
}

/// Asks identity greeter/`id` through `c`; returns "member|kind/id", or "error: ..." on failure.
inline std::string ask(cluster::cluster& c, const std::string& id) {
  auto m = c.activate("greeter", id).request(greeting("hi"), std::chrono::seconds(10)).get();
  if (!m) return "error: " + m.error().message();
  auto* g = m->template get_if<Greeting>();
  return g != nullptr ? g->text() : "wrong type";
}

inline bool all_see(std::vector<cluster_member>& ms, std::size_t n) {
  for (auto& m : ms) {
    if (m.c == nullptr) continue;
    if (m.c->members().size() != n || !m.c->serving()) return false;
  }
  return true;
}

}  // namespace hollywood::test
