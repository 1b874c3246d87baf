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

/// The endpoint and what it serves. Destroy it before anything its sources and checks read
/// (the cluster, the bus, the engine). Not thread-safe (set up by the command's main thread).
class observability {
 public:
  /// Sets the log level; with `--metrics`, starts the endpoint serving `e`'s metrics and the
  /// handler latencies, healthy while `e` runs, and prints "<tool> metrics at http://ADDR/metrics".
  /// Returns null after printing the problem to stderr.
  static std::unique_ptr<observability> start(const observability_options& o, actor::engine& e,
                                              const std::string& tool);

  /// The registry served (also when there is no endpoint: metrics are then only counted).
  [[nodiscard]] const std::shared_ptr<metrics::registry>& registry() const noexcept {
    return registry_;
  }
  /// The handler-latency middleware for the command's actors.
  [[nodiscard]] actor::middleware latency() const { return latency_.middleware(); }
  /// Serves `s` too, until destroyed.
  void add_source(metrics::source s);
  /// Makes `/readyz` depend on `passes` (no-op without an endpoint).
  void add_readiness_check(std::string name, metrics::check passes);

 private:
  explicit observability(std::shared_ptr<metrics::registry> reg);

  std::shared_ptr<metrics::registry> registry_;
  metrics::handler_latency latency_;
  std::vector<metrics::source_handle> sources_;
  std::unique_ptr<metrics::exposer> http_;  // last: stops serving before the sources go
};

}  // namespace hollywood::tools
