// SPDX-License-Identifier: MIT
#include "observability.hpp"

#include <hollywood/actor/log.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <utility>

namespace hollywood::tools {

void add_observability_options(CLI::App& app, observability_options& o) {
  app.add_option("--metrics", o.metrics,
                 "Serve /metrics, /healthz and /readyz on host:port (port 0: any free port)");
  app.add_option("--log-level", o.log_level, "Lowest level logged (to stderr)")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

observability::observability(std::shared_ptr<metrics::registry> reg)
    : registry_(std::move(reg)), latency_(*registry_) {}

std::unique_ptr<observability> observability::start(const observability_options& o,
                                                    actor::engine& e, const std::string& tool) {
  if (auto level = actor::parse_log_level(o.log_level)) actor::set_log_level(*level);
  std::unique_ptr<observability> obs(new observability(std::make_shared<metrics::registry>()));
  obs->add_source([&e](actor::metric_sink& out) { e.collect_metrics(out); });
  if (o.metrics.empty()) return obs;
  auto http = metrics::exposer::start(o.metrics, obs->registry_);
  if (!http) {
    std::fprintf(stderr, "%s: cannot serve metrics on %s: %s\n", tool.c_str(), o.metrics.c_str(),
                 http.error().message().c_str());
    return nullptr;
  }
  obs->http_ = std::move(*http);
  obs->http_->add_health_check("engine", [&e] { return e.running(); });
  std::printf("%s metrics at http://%s/metrics\n", tool.c_str(), obs->http_->address().c_str());
  std::fflush(stdout);
  return obs;
}

void observability::add_source(metrics::source s) {
  sources_.push_back(registry_->add_source(std::move(s)));
}

void observability::add_readiness_check(std::string name, metrics::check passes) {
  if (http_) http_->add_readiness_check(std::move(name), std::move(passes));
}

}  // namespace hollywood::tools
