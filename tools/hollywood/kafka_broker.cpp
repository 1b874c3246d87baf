// SPDX-License-Identifier: MIT
// `hollywood kafka-broker`: librdkafka's mock cluster as a stand-alone Kafka broker for tests,
// demos and kcat. Prints the bootstrap list, writes it atomically to --bootstrap-file, runs until
// SIGINT/SIGTERM.
#include <hollywood/eventbus/kafka/mock_cluster.hpp>

#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace hollywood::tools {

namespace {

struct broker_options {
  std::size_t brokers = 1;
  std::vector<std::string> topics;  // name:partitions
  std::string bootstrap_file;
};

/// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half.
bool write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int run_broker(const broker_options& o) {
  // Blocked before librdkafka starts its threads, so only sigwait below sees the stop signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto cluster = eventbus::kafka::mock_cluster::create(o.brokers);
  if (!cluster) {
    std::fprintf(stderr, "hollywood kafka-broker: cannot start: %s\n",
                 cluster.error().message().c_str());
    return 1;
  }
  for (const auto& spec : o.topics) {
    const auto colon = spec.rfind(':');
    int partitions = 0;
    std::string name = spec;
    if (colon != std::string::npos) {
      name = spec.substr(0, colon);
      try {
        partitions = std::stoi(spec.substr(colon + 1));
      } catch (const std::exception&) {
        partitions = 0;
      }
    }
    if (name.empty() || partitions <= 0) {
      std::fprintf(stderr, "hollywood kafka-broker: --topic wants name:partitions, got '%s'\n",
                   spec.c_str());
      return 2;
    }
    if (auto r = (*cluster)->create_topic(name, partitions); !r) {
      std::fprintf(stderr, "hollywood kafka-broker: cannot create topic '%s': %s\n", name.c_str(),
                   r.error().message().c_str());
      return 1;
    }
  }
  const std::string& bootstraps = (*cluster)->bootstrap_servers();
  if (!o.bootstrap_file.empty() && !write_atomically(o.bootstrap_file, bootstraps)) {
    std::fprintf(stderr, "hollywood kafka-broker: cannot write %s\n", o.bootstrap_file.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "hollywood kafka-broker: %zu broker(s) (librdkafka mock cluster; data and "
               "committed offsets are kept in memory only)\n",
               o.brokers);
  std::printf("%s\n", bootstraps.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  return 0;
}

}  // namespace

command add_kafka_broker(CLI::App& app) {
  auto o = std::make_shared<broker_options>();
  app.add_option("--brokers", o->brokers, "Number of brokers")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  app.add_option("--topic", o->topics, "Topic to create, name:partitions (repeatable)");
  app.add_option("--bootstrap-file", o->bootstrap_file,
                 "Write the bootstrap list here (atomically) once the brokers listen");
  return [o] { return run_broker(*o); };
}

}  // namespace hollywood::tools
