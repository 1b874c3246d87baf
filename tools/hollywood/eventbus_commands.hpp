// SPDX-License-Identifier: MIT
#pragma once

// The two modes of `hollywood eventbus`: the service (--config) and the demo (--demo).

#include <hollywood/eventbus/kafka/bus.hpp>

#include "observability.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hollywood::tools {

struct service_options {
  std::string config;
  std::string record_file;
  int latency_ms = 0;
  observability_options observe;
};

struct demo_options {
  bool json = false;
  std::uint64_t records = 200'000;
  int aggregates = 1000;
};

int run_service(const service_options& o);
int run_demo(const demo_options& o);

/// The bus's counters as JSON (the service's exit summary).
nlohmann::json stats_json(const eventbus::kafka::bus_stats& s);

}  // namespace hollywood::tools
