// SPDX-License-Identifier: MIT
#pragma once

// The operator-facing side of `hollywood node` and `hollywood eventbus`: `--log-level` and
// `--metrics HOST:PORT`, one HTTP endpoint per process serving `/metrics` (the engine's metrics,
// the handler-latency histograms and whatever the command adds), `/healthz` (the engine runs)
// and `/readyz` (the command's readiness checks pass).

#include <hollywood/actor/engine.hpp>
#include <hollywood/metrics/exposer.hpp>
#include <hollywood/metrics/handler_latency.hpp>
#include <hollywood/metrics/registry.hpp>

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hollywood::tools {

struct observability_options {
  std::string metrics;  // "host:port"; empty: no endpoint
  std::string log_level = "warn";
};

/// Adds `--metrics` and `--log-level` to a command.
void add_observability_options(CLI::App& app, observability_options& o);

/// The endpoint and what it serves. The command creates it, adds what the endpoint answers
/// (sources, readiness checks), then calls `serve`: a readiness check added after the endpoint
/// came up would leave a window in which `/readyz` says ready too early. Destroy it before
/// anything its sources and checks read (the cluster, the bus, the engine). Not thread-safe (set
/// up by the command's main thread).
class observability {
 public:
  /// Sets the log level; counts `e`'s metrics and the handler latencies on a registry of its own.
  observability(const observability_options& o, actor::engine& e);
  observability(const observability&) = delete;
  observability& operator=(const observability&) = delete;
  ~observability();

  /// The registry served (metrics are counted on it even without an endpoint).
  [[nodiscard]] const std::shared_ptr<metrics::registry>& registry() const noexcept {
    return registry_;
  }
  /// The handler-latency middleware for the command's actors.
  [[nodiscard]] actor::middleware latency() const { return latency_.middleware(); }
  /// Serves `s` too, until destroyed.
  void add_source(metrics::source s);
  /// Makes `/readyz` depend on `passes`. @pre before `serve`
  void add_readiness_check(std::string name, metrics::check passes);

  /// With `--metrics`, starts the endpoint (healthy while the engine runs, ready while every
  /// readiness check passes) and prints "<tool> metrics at http://ADDR/metrics". Returns false
  /// after printing the problem to stderr; true without `--metrics`.
  bool serve(const std::string& tool);

 private:
  std::string listen_;
  actor::engine& engine_;
  std::shared_ptr<metrics::registry> registry_;
  metrics::handler_latency latency_;
  std::vector<metrics::source_handle> sources_;
  std::vector<metrics::named_check> readiness_;
  std::unique_ptr<metrics::exposer> http_;  // last: stops serving before the sources go
};

}  // namespace hollywood::tools
