// SPDX-License-Identifier: MIT
// `hollywood node`: an engine with a remote and a few demo kinds, as a separate process that
// tests, examples and users can talk to. Runs until SIGINT or SIGTERM.
#include <hollywood/actor.hpp>
#include <hollywood/cluster.hpp>
#include <hollywood/remote.hpp>

#include "cluster_kinds.hpp"
#include "commands.hpp"
#include "node_kinds.hpp"
#include "observability.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace hollywood::tools {

namespace {

struct node_options {
  std::string name = "node";
  std::string listen{remote::default_listen};
  std::string kinds = "echo,counter";
  int unreachable_ms = static_cast<int>(remote::default_unreachable_deadline.count());
  unsigned workers = 0;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  bool mutual_tls = false;
  node_kind_options kinds_options;
  std::string cluster;  // "", "embedded" or "etcd"
  std::string seeds;
  std::string etcd;
  std::string handled_log;
  std::string dead_letter_log;
  observability_options observe;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int run_node(const node_options& o) {
  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto types = std::make_shared<remote::type_registry>();
  register_node_messages(*types);
  auto cfg =
      remote::remote_config{}.with_listen(o.listen).with_types(types).with_unreachable_deadline(
          std::chrono::milliseconds(o.unreachable_ms));
  if (!o.tls_cert.empty()) {
    cfg = cfg.with_tls(remote::tls_config{
        o.tls_cert, o.tls_key, o.tls_ca,
        o.mutual_tls ? remote::tls_verification::mutual : remote::tls_verification::server});
  }
  auto net = remote::remote::create(cfg);
  if (!net) {
    std::fprintf(stderr, "hollywood node: cannot start the remote: %s\n",
                 net.error().message().c_str());
    return 1;
  }
  auto e = actor::engine::create(actor::engine_config{}.with_workers(o.workers).with_remote(*net));
  if (!e) {
    std::fprintf(stderr, "hollywood node: cannot start the engine: %s\n",
                 e.error().message().c_str());
    return 1;
  }
  auto obs = std::make_unique<observability>(o.observe, **e);
  obs->add_source([r = *net](actor::metric_sink& out) { r->collect_metrics(out); });
  std::unique_ptr<cluster::cluster> member;
  if (!o.cluster.empty()) {
    auto ccfg = cluster::cluster_config{}.with_name(o.name);
    auto incarnation = std::make_shared<std::atomic<const cluster::cluster*>>(nullptr);
    ccfg.kinds.push_back(entity_kind(o.name, o.handled_log, [incarnation] {
      // acquire: pairs with the release store below, after the member was created.
      const auto* c = incarnation->load(std::memory_order_acquire);
      return c != nullptr ? c->incarnation() : std::uint64_t{0};
    }));
    ccfg = o.cluster == "etcd" ? ccfg.with_etcd(o.etcd) : ccfg.with_embedded(split(o.seeds));
    auto c = cluster::cluster::create(**e, **net, ccfg);
    if (!c) {
      std::fprintf(stderr, "hollywood node: cannot join the cluster: %s\n",
                   c.error().message().c_str());
      return 1;
    }
    member = std::move(*c);
    incarnation->store(member.get(), std::memory_order_release);
    if (!o.dead_letter_log.empty()) (void)spawn_dead_letter_log(**e, o.dead_letter_log);
    (void)spawn_membership_printer(**e, *member);
    obs->add_source([m = member.get()](actor::metric_sink& out) { m->collect_metrics(out); });
    obs->add_readiness_check("cluster", [m = member.get()] { return m->serving(); });
  }
  auto kinds_options = o.kinds_options;
  kinds_options.middleware = {obs->latency()};
  for (const auto& kind : split(o.kinds)) {
    if (!spawn_node_kind(**e, kind, kinds_options)) {
      std::fprintf(stderr, "hollywood node: cannot spawn kind '%s'\n", kind.c_str());
      return 2;
    }
  }
  if (!obs->serve("hollywood node " + o.name)) return 1;
  // Tests wait for this line: it carries the real port when the listen port was 0.
  std::printf("hollywood node %s listening on %s\n", o.name.c_str(), (*net)->address().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  obs.reset();     // stops serving before what it reads goes away
  member.reset();  // a graceful leave: shards are handed off before the engine stops
  (*e)->shutdown();
  const auto s = (*net)->stats();
  std::printf("hollywood node %s stopped: %llu messages sent, %llu received, %llu dead letters\n",
              o.name.c_str(), static_cast<unsigned long long>(s.messages_sent),
              static_cast<unsigned long long>(s.messages_received),
              static_cast<unsigned long long>((*e)->stats().dead_letters));
  return 0;
}

}  // namespace

command add_node(CLI::App& app) {
  auto o = std::make_shared<node_options>();
  app.add_option("--name", o->name, "Name shown in output");
  app.add_option("--listen", o->listen, "host:port to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--kinds", o->kinds,
                 "Comma-separated kinds to spawn: echo,counter,blaster,asker,crasher")
      ->capture_default_str();
  app.add_option("--unreachable-ms", o->unreachable_ms,
                 "How long a peer may be unreachable before queued messages are dead letters")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--workers", o->workers, "Engine worker threads (0: one per core)");
  app.add_option("--tls-cert", o->tls_cert, "PEM certificate chain (enables TLS)");
  app.add_option("--tls-key", o->tls_key, "PEM private key");
  app.add_option("--tls-ca", o->tls_ca, "PEM CA certificates trusted for peers");
  app.add_flag("--mutual-tls", o->mutual_tls, "Require and verify peer certificates");
  app.add_option("--counter-record", o->kinds_options.counter_record,
                 "counter: record each value in this memory-mapped bitmap file (survives kill -9)");
  app.add_option("--cluster", o->cluster, "Join a cluster with this provider, hosting 'entity'")
      ->check(CLI::IsMember({"embedded", "etcd"}));
  app.add_option("--seeds", o->seeds, "embedded: comma-separated seed addresses");
  app.add_option("--etcd", o->etcd, "etcd: client URL, e.g. http://127.0.0.1:2379");
  app.add_option("--handled-log", o->handled_log,
                 "entity: append 'identity member incarnation wall_us seq' per handled message");
  app.add_option("--dead-letter-log", o->dead_letter_log,
                 "entity: append 'target reason seq' per Visit that became a dead letter");
  add_observability_options(app, o->observe);
  return [o] { return run_node(*o); };
}

}  // namespace hollywood::tools
