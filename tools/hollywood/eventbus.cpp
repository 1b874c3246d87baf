// SPDX-License-Identifier: MIT
// `hollywood eventbus`: the options of its two modes.
#include "commands.hpp"
#include "eventbus_commands.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace hollywood::tools {

command add_eventbus(CLI::App& app) {
  auto service = std::make_shared<service_options>();
  auto demo = std::make_shared<demo_options>();
  auto demo_flag = std::make_shared<bool>(false);
  auto* config = app.add_option("--config", service->config, "YAML configuration (docs/kafka.md)");
  auto* run_demo_flag = app.add_flag("--demo", *demo_flag,
                                     "Embedded broker, producer, order-checking handler, summary");
  config->excludes(run_demo_flag);
  app.add_flag("--json", demo->json, "--demo: print the summary as one JSON object");
  app.add_option("--records", demo->records, "--demo: events to produce")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  app.add_option("--aggregates", demo->aggregates, "--demo: aggregates")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--record-file", service->record_file,
                 "--config: append 'topic partition offset aggregate' per handled record");
  app.add_option("--handler-latency-ms", service->latency_ms,
                 "--config: complete each record after this long (a timer, not a thread)")
      ->check(CLI::Range(0, 60'000));
  add_observability_options(app, service->observe);
  run_demo_flag->excludes(app.get_option("--metrics"))->excludes(app.get_option("--log-level"));
  return [service, demo, demo_flag] {
    if (*demo_flag) return run_demo(*demo);
    if (service->config.empty()) {
      std::fprintf(stderr, "hollywood eventbus: give --config FILE or --demo\n");
      return 2;
    }
    return run_service(*service);
  };
}

}  // namespace hollywood::tools
