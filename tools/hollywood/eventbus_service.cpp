// SPDX-License-Identifier: MIT
// `hollywood eventbus --config FILE`: the bus as a service, with a built-in handler that counts
// records (optionally after a simulated asynchronous latency, optionally appending each handled
// record to a file that survives kill -9). Runs until SIGINT/SIGTERM, then stops gracefully.
#include <hollywood/actor.hpp>
#include <hollywood/eventbus.hpp>

#include "eventbus_commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace hollywood::tools {

namespace {

using namespace std::chrono_literals;
namespace kafka = eventbus::kafka;

/// Calls a function when its message arrives: the simulated latency's timer target.
struct complete_later {
  kafka::attempt_completion done;
  std::string line;
};

}  // namespace

nlohmann::json stats_json(const kafka::bus_stats& s) {
  return {{"received", s.received},
          {"handled", s.handled},
          {"dead_lettered", s.dead_lettered},
          {"skipped", s.skipped},
          {"malformed", s.malformed},
          {"retries", s.retries},
          {"without_aggregate", s.without_aggregate},
          {"key_mismatch", s.key_mismatch},
          {"rebalance_duplicates", s.rebalance_duplicates},
          {"commits", s.commits},
          {"commit_failures", s.commit_failures},
          {"actor_restarts", s.actor_restarts},
          {"actors_replaced", s.actors_replaced}};
}

int run_service(const service_options& o) {
  // Blocked before any thread starts, so only the wait below sees the stop signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string problem;
  auto cfg = kafka::load_config(o.config, problem);
  if (!cfg) {
    std::fprintf(stderr, "hollywood eventbus: %s\n", problem.c_str());
    return 2;
  }
  if (!o.observe.metrics.empty() && !cfg->metrics.listen.empty()) {
    std::fprintf(stderr,
                 "hollywood eventbus: give the metrics endpoint once: --metrics or "
                 "eventbus.metrics.listen\n");
    return 2;
  }
  auto e = actor::engine::create();
  if (!e) return 1;
  auto obs = std::make_unique<observability>(o.observe, **e);
  kafka::bus_options options;
  options.metrics = obs->registry();
  options.pool_middleware = {obs->latency()};
  auto b = kafka::bus::create(**e, *cfg, std::move(options), &problem);
  if (!b) {
    std::fprintf(stderr, "hollywood eventbus: %s\n", problem.c_str());
    return 1;
  }
  int record_fd = -1;
  if (!o.record_file.empty()) {
    record_fd = ::open(o.record_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (record_fd < 0) {
      std::fprintf(stderr, "hollywood eventbus: cannot open %s\n", o.record_file.c_str());
      return 1;
    }
  }
  // One write(2) per record with O_APPEND: each line lands whole, even when killed.
  auto finish = [record_fd](const kafka::attempt_completion& done, const std::string& line) {
    if (record_fd >= 0) (void)!::write(record_fd, line.data(), line.size());
    done.succeed();
  };
  const actor::pid completer = (*e)->spawn_fn(
      [finish](actor::context& ctx) {
        if (auto* c = ctx.get_if<complete_later>()) finish(c->done, c->line);
      },
      "eventbus-completer");
  const auto latency = std::chrono::milliseconds(o.latency_ms);
  actor::engine& engine = **e;
  for (const auto& topic : cfg->kafka.consumer.topics) {
    (void)(*b)->handle(topic, [&engine, completer, latency, finish](
                                  const kafka::record& r, kafka::attempt_completion done) {
      std::string line = std::string(r.topic()) + " " + std::to_string(r.partition()) + " " +
                         std::to_string(r.offset()) + " " + std::string(r.aggregate_id()) + "\n";
      if (latency.count() > 0) {
        engine.send_after(completer, complete_later{std::move(done), std::move(line)}, latency);
      } else {
        finish(done, line);
      }
    });
  }
  if (auto r = (*b)->start(); !r) {
    std::fprintf(stderr, "hollywood eventbus: cannot start: %s\n", r.error().message().c_str());
    return 1;
  }
  obs->add_readiness_check("kafka", [bus = b->get()] { return bus->ready(); });
  if (!obs->serve("hollywood eventbus")) return 1;
  std::string topics;
  for (const auto& t : cfg->kafka.consumer.topics)
    topics += (topics.empty() ? "" : ",") + t;
  std::printf("hollywood eventbus consuming %s from %s as group %s%s\n", topics.c_str(),
              (*b)->bootstrap_servers().c_str(), cfg->kafka.consumer.group_id.c_str(),
              (*b)->embedded_broker() != nullptr
                  ? " (embedded broker: records and offsets are kept in memory only)"
                  : "");
  if (!(*b)->metrics_endpoint().empty()) {
    std::printf("hollywood eventbus metrics at http://%s/metrics\n",
                (*b)->metrics_endpoint().c_str());
  }
  std::fflush(stdout);
  for (;;) {
    timespec tick{0, 200'000'000};
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
    if ((*b)->wait_stopped(0ms)) break;  // stopped by itself (on_malformed: fail)
  }
  obs.reset();  // stops serving before the bus goes
  (*b)->stop();
  const auto failure = (*b)->failure();
  auto summary = stats_json((*b)->stats());
  if (failure) summary["failure"] = failure.message();
  std::printf("hollywood eventbus stopped: %s\n", summary.dump().c_str());
  std::fflush(stdout);
  b->reset();
  (*e)->shutdown();
  if (record_fd >= 0) ::close(record_fd);
  return failure ? 1 : 0;
}

}  // namespace hollywood::tools
