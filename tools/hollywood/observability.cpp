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

observability::observability(const observability_options& o, actor::engine& e)
    : listen_(o.metrics),
      engine_(e),
      registry_(std::make_shared<metrics::registry>()),
      latency_(*registry_) {
  if (auto level = actor::parse_log_level(o.log_level)) actor::set_log_level(*level);
  add_source([&e](actor::metric_sink& out) { e.collect_metrics(out); });
}

observability::~observability() = default;

void observability::add_source(metrics::source s) {
  sources_.push_back(registry_->add_source(std::move(s)));
}

void observability::add_readiness_check(std::string name, metrics::check passes) {
  readiness_.push_back({std::move(name), std::move(passes)});
}

bool observability::serve(const std::string& tool) {
  if (listen_.empty()) return true;
  metrics::probes checks;
  checks.health.push_back({"engine", [&e = engine_] { return e.running(); }});
  checks.readiness = readiness_;
  auto http = metrics::exposer::start(listen_, registry_, std::move(checks));
  if (!http) {
    std::fprintf(stderr, "%s: cannot serve metrics on %s: %s\n", tool.c_str(), listen_.c_str(),
                 http.error().message().c_str());
    return false;
  }
  http_ = std::move(*http);
  std::printf("%s metrics at http://%s/metrics\n", tool.c_str(), http_->address().c_str());
  std::fflush(stdout);
  return true;
}

}  // namespace hollywood::tools
