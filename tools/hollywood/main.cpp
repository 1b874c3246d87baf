// SPDX-License-Identifier: MIT
// hollywood: the project's command-line tool.
//
//   hollywood demo                 a tour of the engine with a summary table
//   hollywood bench [--vs caf]     the benchmark suite (bench/WORKLOADS.md)
//   hollywood node --listen ...    an engine with a remote and demo kinds, until SIGINT/SIGTERM
//   hollywood kafka-broker         a local Kafka broker (librdkafka's mock cluster)
//   hollywood eventbus --config F  the Kafka event bus as a service (--demo: a self-contained tour)
#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"Hollywood for C++: an actor engine for low-latency back ends"};
  app.require_subcommand(1);
  std::map<CLI::App*, hollywood::tools::command> commands;
  auto add = [&](const char* name, const char* about, auto registrar) {
    CLI::App* sub = app.add_subcommand(name, about);
    commands[sub] = registrar(*sub);
  };
  add("demo",
      "Spawn actors, exchange messages, request/response, a crash and restart, a graceful "
      "stop of a tree; prints a summary table",
      hollywood::tools::add_demo);
  add("bench", "Run the benchmark workloads, optionally side by side with CAF",
      hollywood::tools::add_bench);
  add("node", "Run an engine reachable over the network, with demo kinds (echo, counter, ...)",
      hollywood::tools::add_node);
  add("kafka-broker",
      "Run librdkafka's mock cluster as a local Kafka broker (real protocol, in-memory data) "
      "until SIGINT/SIGTERM",
      hollywood::tools::add_kafka_broker);
  add("eventbus",
      "Run the Kafka event bus from a YAML configuration, or --demo with an embedded broker",
      hollywood::tools::add_eventbus);
  CLI11_PARSE(app, argc, argv);
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 2;
}
