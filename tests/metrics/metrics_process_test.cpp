// SPDX-License-Identifier: MIT
// `hollywood node` and `hollywood eventbus` processes scraped over HTTP like Prometheus would:
// the exposition parses, counters move as messages, restarts and dead letters happen, `/readyz`
// turns ready only once a node joined its cluster, and the Grafana dashboard and the operator's
// guide name only (respectively every one of) the metrics the processes export.
#include <hollywood/actor.hpp>
#include <hollywood/remote.hpp>

#include "node.pb.h"
#include "node_kinds.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <hollywood_test/child_process.hpp>
#include <hollywood_test/exposition.hpp>
#include <hollywood_test/http_get.hpp>
#include <hollywood_test/ports.hpp>
#include <hollywood_test/wait.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace hollywood;
using namespace std::chrono_literals;
using test::child_process;
using test::exposition;
using test::http_get;
using test::reserved_address;
using test::wait_until;

/// The text after `marker` on `line`, up to the next space, "/" or the end.
std::string after(const std::string& line, const std::string& marker) {
  const auto at = line.find(marker);
  if (at == std::string::npos) return {};
  const auto from = at + marker.size();
  return line.substr(from, line.find_first_of(" /", from) - from);
}

/// A `hollywood` process with `--metrics 127.0.0.1:0`, and the port it serves on.
struct scraped {
  scraped(std::vector<std::string> args, const std::string& what) : proc(std::move(args)) {
    const std::string line = proc.wait_for_line(what + " metrics at http://");
    const std::string address = after(line, "http://");
    port = static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  }

  /// A scrape of /metrics, parsed (and so checked to be valid exposition text).
  [[nodiscard]] exposition scrape() const {
    auto r = http_get(port, "/metrics");
    EXPECT_TRUE(r && r->status == 200);
    if (!r) return {};
    auto m = exposition::parse(r->body);
    EXPECT_TRUE(m) << m.error;
    return m ? *m : exposition{};
  }
  [[nodiscard]] int status(const char* path) const {
    auto r = http_get(port, path);
    return r ? r->status : 0;
  }

  child_process proc;
  std::uint16_t port = 0;
};

std::vector<std::string> node_args(const std::string& name, const std::string& listen,
                                   const std::string& kinds) {
  return {HOLLYWOOD_CLI, "node",    "--name", name,        "--listen",
          listen,        "--kinds", kinds,    "--metrics", "127.0.0.1:0"};
}

/// A remote engine in the test process, to talk to nodes.
struct client {
  client() {
    auto types = std::make_shared<remote::type_registry>();
    tools::register_node_messages(*types);
    net = remote::remote::create(remote::remote_config{}.with_types(types)).value();
    engine = actor::engine::create(actor::engine_config{}.with_workers(1).with_remote(net)).value();
  }
  std::shared_ptr<remote::remote> net;
  std::unique_ptr<actor::engine> engine;
};

node::Echo echo(const std::string& text) {
  node::Echo e;
  e.set_text(text);
  return e;
}

TEST(metrics_process, a_node_counts_messages_restarts_and_dead_letters_as_they_happen) {
  const std::string address = reserved_address();
  scraped n(node_args("n", address, "echo,crasher"), "hollywood node n");
  ASSERT_NE(n.port, 0);
  EXPECT_EQ(n.status("/healthz"), 200);
  EXPECT_EQ(n.status("/readyz"), 200) << "no cluster: nothing to wait for";
  const exposition before = n.scrape();
  const double echoed =
      before.value("hollywood_actor_messages_processed_total", {{"kind", "echo"}}).value_or(-1);
  ASSERT_EQ(echoed, 0) << "every kind is listed from its spawn on";

  client c;
  constexpr int asked = 5;
  for (int i = 0; i < asked; ++i) {
    auto r = c.engine->request(actor::pid(address, "echo/1"), echo("hi"), 30s).get();
    ASSERT_TRUE(r) << r.error().message();
  }
  c.engine->send(actor::pid(address, "nobody/1"), echo("lost"));
  for (int i = 0; i < 4; ++i)  // default limit: 3 restarts, then it stops for good
    c.engine->send(actor::pid(address, "crasher/1"), echo("boom"));

  exposition m;
  // The limit is counted before the crasher stops and leaves the registry: wait for both.
  ASSERT_TRUE(wait_until([&] {
    m = n.scrape();
    return m.value("hollywood_actor_max_restarts_exceeded_total", {{"kind", "crasher"}}) == 1 &&
           m.value("hollywood_actors", {{"kind", "crasher"}}) == 0 &&
           m.value("hollywood_dead_letters_total", {{"reason", "unknown_target"}}) == 1;
  })) << "crasher exceeded: "
      << m.value("hollywood_actor_max_restarts_exceeded_total", {{"kind", "crasher"}}).value_or(-1)
      << ", crashers: " << m.value("hollywood_actors", {{"kind", "crasher"}}).value_or(-1)
      << ", unknown targets: "
      << m.value("hollywood_dead_letters_total", {{"reason", "unknown_target"}}).value_or(-1);
  EXPECT_EQ(m.value("hollywood_actor_messages_processed_total", {{"kind", "echo"}}), asked);
  EXPECT_EQ(m.value("hollywood_actor_restarts_total", {{"kind", "crasher"}}), 3);
  EXPECT_EQ(m.value("hollywood_actors", {{"kind", "echo"}}), 1);
  EXPECT_EQ(m.value("hollywood_dead_letters_total", {{"reason", "crashed"}}), 4);
  EXPECT_GE(
      m.value(std::string("hollywood_actor_handler_seconds_count"), {{"kind", "echo"}}).value_or(0),
      1);
  // The remote side: our connection in, replies out.
  EXPECT_GE(m.value("hollywood_remote_connections_accepted_total").value_or(0), 1);
  EXPECT_GE(m.value("hollywood_remote_messages_total", {{"direction", "in"}}).value_or(0),
            asked + 5);
  EXPECT_GE(m.value("hollywood_remote_messages_total", {{"direction", "out"}}).value_or(0), asked);
  EXPECT_GT(m.value("hollywood_remote_frames_total", {{"direction", "in"}}).value_or(0), 0);
  EXPECT_GT(m.value("hollywood_remote_bytes_total", {{"direction", "in"}}).value_or(0), 0);
  EXPECT_EQ(m.value("hollywood_remote_connections", {{"direction", "out"}}), 1);
  EXPECT_GE(m.sum("hollywood_scheduler_worker_busy_seconds_total"), 0);
  EXPECT_EQ(n.proc.stop(SIGTERM), 0);
}

TEST(metrics_process, a_cluster_node_turns_ready_only_after_it_joined) {
  std::vector<std::string> seeds;
  for (int i = 0; i < 3; ++i)
    seeds.push_back(reserved_address());
  const std::string list = seeds[0] + "," + seeds[1] + "," + seeds[2];
  auto member = [&](int i) {
    auto args = node_args("m" + std::to_string(i), seeds[static_cast<std::size_t>(i)], "echo");
    args.insert(args.end(), {"--cluster", "embedded", "--seeds", list});
    return std::make_unique<scraped>(args, "hollywood node m" + std::to_string(i));
  };
  auto m0 = member(0);
  // Alone, it cannot have a majority of the three seeds: alive, never ready.
  EXPECT_EQ(m0->status("/healthz"), 200);
  auto r = http_get(m0->port, "/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "not ready: cluster\n");
  EXPECT_EQ(m0->scrape().value("hollywood_cluster_serving"), 0);
  auto m1 = member(1);
  EXPECT_TRUE(wait_until([&] { return m0->status("/readyz") == 200; }));
  EXPECT_TRUE(wait_until([&] { return m1->status("/readyz") == 200; }));
  const exposition m = m0->scrape();
  EXPECT_EQ(m.value("hollywood_cluster_serving"), 1);
  EXPECT_EQ(m.value("hollywood_cluster_members", {{"status", "alive"}}), 2);
  EXPECT_GT(m.value("hollywood_cluster_shards_owned").value_or(0), 0);
}

/// Every metric name a PromQL expression mentions (ours all start with these prefixes).
std::set<std::string> names_in(const std::string& expr) {
  static const std::regex name(R"((hollywood|kafka_eventbus)_[a-zA-Z0-9_:]*)");
  std::set<std::string> out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it)
    out.insert(it->str());
  return out;
}

void collect_exprs(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "expr" && v.is_string()) out.push_back(v.get<std::string>());
      collect_exprs(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j)
      collect_exprs(v, out);
  }
}

/// `name`'s family: itself, or the histogram it is a series of.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(metrics_process, the_dashboard_and_the_operators_guide_match_what_the_processes_export) {
  // A node of a one-member cluster and a bus on its embedded broker export every family.
  const std::string address = reserved_address();
  auto args = node_args("solo", address, "echo,crasher");
  args.insert(args.end(), {"--cluster", "embedded", "--seeds", address});
  scraped n(args, "hollywood node solo");
  char tmpl[] = "/tmp/hollywood-metrics-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  std::ofstream(dir / "bus.yaml") << "eventbus:\n  kafka:\n    consumer: {groupId: dash, topics: "
                                     "[orders]}\n";
  scraped bus({HOLLYWOOD_CLI, "eventbus", "--config", (dir / "bus.yaml").string(), "--metrics",
               "127.0.0.1:0"},
              "hollywood eventbus");
  ASSERT_TRUE(wait_until([&] { return n.status("/readyz") == 200; }));
  ASSERT_TRUE(wait_until([&] { return bus.status("/readyz") == 200; }))
      << "the bus is ready once it joined its group";
  std::map<std::string, std::string> types;
  for (const auto* p : {&n, &bus}) {
    const exposition m = p->scrape();
    types.insert(m.types.begin(), m.types.end());
  }
  std::filesystem::remove_all(dir);

  const auto dashboard = nlohmann::json::parse(
      read_text(std::filesystem::path(HOLLYWOOD_SOURCE_DIR) / "docs/grafana-dashboard.json"),
      nullptr, false);
  ASSERT_FALSE(dashboard.is_discarded()) << "docs/grafana-dashboard.json is not JSON";
  std::vector<std::string> exprs;
  collect_exprs(dashboard, exprs);
  ASSERT_FALSE(exprs.empty());
  std::set<std::string> used;
  for (const auto& e : exprs) {
    const auto names = names_in(e);
    EXPECT_FALSE(names.empty()) << "a panel query with none of our metrics: " << e;
    for (const auto& name : names) {
      const std::string f = family_of(name, types);
      EXPECT_EQ(types.count(f), 1u) << "the dashboard names '" << name << "', nobody exports it";
      used.insert(f);
    }
  }
  for (const char* layer : {"hollywood_actor_", "hollywood_dead_letters", "hollywood_scheduler_",
                            "hollywood_remote_", "hollywood_cluster_", "kafka_eventbus_"}) {
    EXPECT_TRUE(std::any_of(used.begin(), used.end(),
                            [&](const std::string& u) { return u.rfind(layer, 0) == 0; }))
        << "the dashboard shows nothing of " << layer;
  }
  const std::string guide =
      read_text(std::filesystem::path(HOLLYWOOD_SOURCE_DIR) / "docs/operations.md");
  for (const auto& [family, type] : types) {
    EXPECT_NE(guide.find("`" + family), std::string::npos)
        << "docs/operations.md does not describe " << family;
  }
}

}  // namespace
