// SPDX-License-Identifier: MIT
#pragma once

// A cluster of real `hollywood node` processes on loopback, with either provider (for etcd, a
// real etcd started for the test). The test process joins as a member that hosts no kinds and
// drives the traffic; every node logs each message it handled and each Visit that became a dead
// letter, so tests can check single activation and account for every message.

#include "cluster_fixture.hpp"
#include "etcd_server.hpp"
#include "node.pb.h"
#include "node_process.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <hollywood_test/recorder.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hollywood::test {

enum class provider { embedded, etcd };

inline std::string to_string(provider p) {
  return p == provider::embedded ? "embedded" : "etcd";
}

/// Names parameterized tests after the provider.
inline std::string provider_name(const ::testing::TestParamInfo<provider>& p) {
  return to_string(p.param);
}

/// One handled message, from a node's log.
struct handled_entry {
  std::string id;
  std::string member;  // "n1#<incarnation>"
  long long wall_us = 0;
  std::uint64_t seq = 0;
};

/// Set up and driven from the test's threads: `send` from one thread at a time (it numbers the
/// messages), the rest from any.
class process_cluster {
 public:
  process_cluster(std::size_t n, provider p) {
    char tmpl[] = "/tmp/hollywood-cluster-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (made == nullptr) {
      ADD_FAILURE() << "cannot create a temporary directory";
      return;
    }
    dir_ = made;
    if (p == provider::etcd) {
      etcd_ = std::make_unique<etcd_server>();
      EXPECT_TRUE(etcd_->ready()) << "etcd did not start";
    }
    std::vector<std::string> seeds;
    for (std::size_t i = 0; i < n; ++i)
      seeds.push_back(reserved_address());
    std::string list;
    for (const auto& s : seeds)
      list += (list.empty() ? "" : ",") + s;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string name = "n" + std::to_string(i);
      std::vector<std::string> args{"--name",
                                    name,
                                    "--listen",
                                    seeds[i],
                                    "--kinds",
                                    "echo",
                                    "--handled-log",
                                    dir_ + "/" + name + ".log",
                                    "--dead-letter-log",
                                    dir_ + "/" + name + ".dead",
                                    "--cluster",
                                    to_string(p)};
      if (p == provider::etcd) {
        args.insert(args.end(), {"--etcd", etcd_->endpoint()});
      } else {
        args.insert(args.end(), {"--seeds", list});
      }
      args_.push_back(args);
      nodes_.push_back(std::make_unique<node_process>(args));
    }
    auto types = test_types();
    (void)types->add_protobuf<node::Visit>();
    (void)types->add_protobuf<node::VisitAck>();
    driver_ = make_node(fast_config(), types);
    dead_ = std::make_unique<recorder>(*driver_.engine);
    driver_.engine->subscribe(dead_->pid());
    auto cfg = cluster::cluster_config{}.with_name("driver");
    cfg = p == provider::etcd ? cfg.with_etcd(etcd_->endpoint()) : cfg.with_embedded(seeds);
    auto r = cluster::cluster::create(*driver_.engine, *driver_.net, cfg);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    if (r) c_ = std::move(*r);
  }

  ~process_cluster() {
    c_.reset();
    nodes_.clear();
    etcd_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  process_cluster(const process_cluster&) = delete;
  process_cluster& operator=(const process_cluster&) = delete;

  /// @pre the driver joined (`all_joined()` was true once).
  [[nodiscard]] cluster::cluster& driver() { return *c_; }
  [[nodiscard]] node_process& node(std::size_t i) { return *nodes_.at(i); }
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }

  /// Starts node `i` again, with its arguments and logs (it joins as a new incarnation).
  void restart(std::size_t i) { nodes_.at(i) = std::make_unique<node_process>(args_.at(i)); }

  /// Whether the driver sees every node and itself (never, if it could not join).
  [[nodiscard]] bool all_joined() const {
    return c_ != nullptr && c_->members().size() == nodes_.size() + 1;
  }

  [[nodiscard]] std::string members_text() const {
    if (c_ == nullptr) return "(the driver did not join)";
    std::string s;
    for (const auto& m : c_->members())
      s += m.name + "#" + std::to_string(m.incarnation) + " ";
    return s;
  }

  /// Visits `id` and waits for the answer; returns the member that handled it ("" on timeout).
  std::string visit(const std::string& id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    node::Visit v;
    v.set_seq(++seq_);
    auto m = c_->activate("entity", id).request(v, timeout).get();
    if (!m) return {};
    auto* ack = m->template get_if<node::VisitAck>();
    return ack != nullptr ? ack->member() : std::string();
  }

  /// Sends a Visit to `id` without waiting; returns its sequence number.
  std::uint64_t send(const std::string& id) {
    node::Visit v;
    v.set_seq(++seq_);
    c_->activate("entity", id).send(v);
    return seq_;
  }

  /// Every message any node handled, from their logs, by wall-clock time.
  [[nodiscard]] std::vector<handled_entry> handled() const {
    std::vector<handled_entry> all;
    for (const auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().extension() != ".log") continue;
      std::ifstream in(f.path());
      handled_entry e;
      std::string member;
      unsigned long long inc = 0;
      while (in >> e.id >> member >> inc >> e.wall_us >> e.seq) {
        e.member = member + "#" + std::to_string(inc);
        all.push_back(e);
      }
    }
    std::sort(all.begin(), all.end(),
              [](const handled_entry& a, const handled_entry& b) { return a.wall_us < b.wall_us; });
    return all;
  }

  /// Sequence numbers of the Visits that became dead letters, on the nodes and on the driver,
  /// by reason.
  [[nodiscard]] std::map<std::uint64_t, std::string> dead_letters() const {
    std::map<std::uint64_t, std::string> out;
    for (const auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().extension() != ".dead") continue;
      std::ifstream in(f.path());
      std::string target, reason;
      std::uint64_t seq = 0;
      while (in >> target >> reason >> seq)
        out[seq] = reason;
    }
    for (const auto& d : dead_->all<actor::dead_letter_event>()) {
      if (const auto* v = d.message->get_if<node::Visit>()) {
        out[v->seq()] = std::string(actor::to_string(d.reason));
      }
    }
    return out;
  }

  /// For every identity, the members that handled it must form runs that never come back:
  /// A A B B is a hand-over, A B A is two activations at once.
  [[nodiscard]] std::vector<std::string> interleavings() const {
    std::map<std::string, std::vector<std::string>> runs;
    for (const auto& e : handled()) {
      auto& r = runs[e.id];
      if (r.empty() || r.back() != e.member) r.push_back(e.member);
    }
    std::vector<std::string> bad;
    for (const auto& [id, r] : runs) {
      std::set<std::string> seen;
      for (const auto& who : r) {
        if (!seen.insert(who).second) bad.push_back(id + " handled by " + who + " again");
      }
    }
    return bad;
  }

 private:
  std::string dir_;
  std::unique_ptr<etcd_server> etcd_;
  std::vector<std::vector<std::string>> args_;
  std::vector<std::unique_ptr<node_process>> nodes_;
  remote_node driver_;
  std::unique_ptr<recorder> dead_;
  std::unique_ptr<cluster::cluster> c_;
  std::uint64_t seq_ = 0;
};

}  // namespace hollywood::test
