// SPDX-License-Identifier: MIT
// The bus and the broker as separate processes, started and killed by PID: `hollywood
// kafka-broker` read by kcat, a second `hollywood eventbus` joining the group, a bus killed with
// SIGKILL mid-stream and restarted, a bus scraped over HTTP, the demo, a refused configuration.
#include <hollywood/eventbus.hpp>

#include "kafka_support.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <hollywood_test/child_process.hpp>
#include <hollywood_test/exposition.hpp>
#include <hollywood_test/http_get.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace {

using namespace hollywood;
using namespace hollywood::test;

/// A temporary directory for bootstrap, configuration and record files.
class scratch_dir {
 public:
  scratch_dir() {
    char tmpl[] = "/tmp/hollywood-kafka-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~scratch_dir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// `hollywood kafka-broker` with one topic; its bootstrap list once it listens.
struct broker_process {
  broker_process(const scratch_dir& dir, const std::string& topic, int partitions)
      : bootstrap_file(dir.file("bootstrap")),
        process({HOLLYWOOD_CLI, "kafka-broker", "--brokers", "1", "--topic",
                 topic + ":" + std::to_string(partitions), "--bootstrap-file", bootstrap_file}) {
    EXPECT_TRUE(wait_until([&] { return std::filesystem::exists(bootstrap_file); }));
    bootstrap = read_file(bootstrap_file);
    while (!bootstrap.empty() && bootstrap.back() == '\n')
      bootstrap.pop_back();
  }
  std::string bootstrap_file;
  child_process process;
  std::string bootstrap;
};

/// The configuration of a bus process against `bootstrap`.
std::string bus_yaml(const std::string& bootstrap, const std::string& topic,
                     const std::string& group, std::size_t max_in_flight) {
  return "eventbus:\n  kafka:\n    brokers: [\"" + bootstrap +
         "\"]\n    properties: {session.timeout.ms: \"6000\", heartbeat.interval.ms: \"500\"}\n"
         "    consumer: {groupId: " +
         group + ", topics: [" + topic +
         "], commitInterval: 200ms}\n  pool: {maxInFlight: " + std::to_string(max_in_flight) +
         "}\n";
}

/// (partition, offset) -> how many times a record file lists it.
std::map<position, int> handled_in(const std::vector<std::string>& files) {
  std::map<position, int> out;
  for (const auto& f : files) {
    std::istringstream in(read_file(f));
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string aggregate;
    while (in >> topic >> partition >> offset >> aggregate)
      ++out[{partition, offset}];
  }
  return out;
}

std::size_t lines_in(const std::string& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// The JSON summary a bus process prints when it stops.
nlohmann::json summary_of(child_process& p) {
  const std::string line = p.wait_for_line("hollywood eventbus stopped: ", std::chrono::seconds(5));
  if (line.empty()) return {};
  return nlohmann::json::parse(line.substr(line.find('{')), nullptr, false);
}

TEST(kafka_process, the_broker_command_serves_kcat_and_stops_on_sigterm) {
  scratch_dir dir;
  child_process broker({HOLLYWOOD_CLI, "kafka-broker", "--brokers", "3", "--topic", "orders:6",
                        "--bootstrap-file", dir.file("bootstrap")});
  const std::string printed = broker.wait_for_line("127.0.0.1:");
  ASSERT_FALSE(printed.empty());
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir.file("bootstrap")); }));
  const std::string bootstrap = read_file(dir.file("bootstrap"));
  EXPECT_EQ(bootstrap, printed + "\n") << "the file holds what was printed";
  FILE* p = ::popen(("kcat -b " + printed + " -L -t orders").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string metadata;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    metadata.append(buf, n);
  ::pclose(p);
  EXPECT_NE(metadata.find("3 brokers"), std::string::npos) << metadata;
  EXPECT_NE(metadata.find("topic \"orders\" with 6 partitions"), std::string::npos) << metadata;
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(kafka_process, a_second_bus_process_joins_the_group_without_loss_and_counts_duplicates) {
  scratch_dir dir;
  const std::string topic = "orders";
  broker_process broker(dir, topic, 4);
  auto pub = kafka::publisher::create(broker.bootstrap);
  ASSERT_TRUE(pub);
  write_file(dir.file("bus.yaml"), bus_yaml(broker.bootstrap, topic, "joiners", 2000));
  const auto produced_first = publish_sequenced(**pub, topic, 200, 20);
  child_process a({HOLLYWOOD_CLI, "eventbus", "--config", dir.file("bus.yaml"), "--record-file",
                   dir.file("a.records"), "--handler-latency-ms", "2"});
  ASSERT_TRUE(wait_until([&] { return lines_in(dir.file("a.records")) >= 1000; }, 60s));
  child_process b({HOLLYWOOD_CLI, "eventbus", "--config", dir.file("bus.yaml"), "--record-file",
                   dir.file("b.records"), "--handler-latency-ms", "2"});
  // More records while the group rebalances and afterwards.
  const auto produced_more = publish_sequenced(**pub, topic, 200, 20, "more-");
  ASSERT_TRUE(wait_until([&] { return lines_in(dir.file("b.records")) >= 200; }, 60s))
      << "the second process never got partitions";
  std::vector<position> produced = produced_first;
  produced.insert(produced.end(), produced_more.begin(), produced_more.end());
  const std::vector<std::string> files = {dir.file("a.records"), dir.file("b.records")};
  ASSERT_TRUE(wait_until([&] { return handled_in(files).size() >= produced.size(); }, 90s));
  EXPECT_EQ(b.stop(SIGTERM), 0);
  EXPECT_EQ(a.stop(SIGTERM), 0);
  const auto handled = handled_in(files);
  std::size_t duplicates = 0;
  for (const auto& p : produced) {
    auto it = handled.find(p);
    ASSERT_NE(it, handled.end()) << "lost " << p.first << "@" << p.second;
    duplicates += static_cast<std::size_t>(it->second - 1);
  }
  const auto sa = summary_of(a);
  const auto sb = summary_of(b);
  ASSERT_TRUE(sa.is_object() && sb.is_object());
  const auto counted =
      sa["rebalance_duplicates"].get<std::size_t>() + sb["rebalance_duplicates"].get<std::size_t>();
  EXPECT_LE(duplicates, counted);
  RecordProperty("duplicates", static_cast<int>(duplicates));
  RecordProperty("counted", static_cast<int>(counted));
}

TEST(kafka_process, a_bus_killed_mid_stream_and_restarted_loses_nothing_and_replays_little) {
  scratch_dir dir;
  const std::string topic = "orders";
  broker_process broker(dir, topic, 4);
  auto pub = kafka::publisher::create(broker.bootstrap);
  ASSERT_TRUE(pub);
  constexpr std::size_t bound = 1000;
  write_file(dir.file("bus.yaml"), bus_yaml(broker.bootstrap, topic, "survivors", bound));
  const auto produced = publish_sequenced(**pub, topic, 500, 40);
  const std::string records = dir.file("records");
  {
    child_process first({HOLLYWOOD_CLI, "eventbus", "--config", dir.file("bus.yaml"),
                         "--record-file", records, "--handler-latency-ms", "1"});
    ASSERT_TRUE(wait_until([&] { return lines_in(records) >= produced.size() / 4; }, 60s));
    first.stop(SIGKILL);
  }
  const auto before_restart = handled_in({records}).size();
  ASSERT_LT(before_restart, produced.size()) << "killed too late to test anything";
  child_process second({HOLLYWOOD_CLI, "eventbus", "--config", dir.file("bus.yaml"),
                        "--record-file", records, "--handler-latency-ms", "1"});
  ASSERT_TRUE(wait_until([&] { return handled_in({records}).size() >= produced.size(); }, 90s));
  EXPECT_EQ(second.stop(SIGTERM), 0);
  const auto handled = handled_in({records});
  std::size_t duplicates = 0;
  for (const auto& p : produced) {
    auto it = handled.find(p);
    ASSERT_NE(it, handled.end()) << "lost " << p.first << "@" << p.second;
    duplicates += static_cast<std::size_t>(it->second - 1);
  }
  EXPECT_LE(duplicates, bound) << "a crash replays at most the in-flight bound";
  RecordProperty("duplicates", static_cast<int>(duplicates));
  RecordProperty("handled_before_the_kill", static_cast<int>(before_restart));
}

TEST(kafka_process, the_bus_process_serves_metrics_and_turns_ready_once_it_joined) {
  scratch_dir dir;
  const std::string topic = "orders";
  broker_process broker(dir, topic, 4);
  auto pub = kafka::publisher::create(broker.bootstrap);
  ASSERT_TRUE(pub);
  write_file(dir.file("bus.yaml"), bus_yaml(broker.bootstrap, topic, "observed", 1000));
  child_process bus({HOLLYWOOD_CLI, "eventbus", "--config", dir.file("bus.yaml"), "--metrics",
                     "127.0.0.1:0", "--log-level", "error"});
  const std::string line = bus.wait_for_line("hollywood eventbus metrics at http://");
  ASSERT_FALSE(line.empty());
  const std::string address = line.substr(line.find("http://") + 7);
  const auto port = static_cast<std::uint16_t>(
      std::stoi(address.substr(address.rfind(':') + 1, address.find("/metrics"))));
  auto status = [&](const char* path) {
    auto r = http_get(port, path);
    return r ? r->status : 0;
  };
  EXPECT_EQ(status("/healthz"), 200);
  ASSERT_TRUE(wait_until([&] { return status("/readyz") == 200; }, 60s));
  const auto produced = publish_sequenced(**pub, topic, 50, 10);
  exposition m;
  ASSERT_TRUE(wait_until(
      [&] {
        auto r = http_get(port, "/metrics");
        if (!r || r->status != 200) return false;
        auto parsed = exposition::parse(r->body);
        EXPECT_TRUE(parsed) << parsed.error;
        if (!parsed) return true;
        m = *parsed;
        return m.value("kafka_eventbus_actor_pool_messages_processed_total",
                       {{"outcome", "handled"}}) >= static_cast<double>(produced.size());
      },
      60s));
  EXPECT_EQ(m.value("kafka_eventbus_records_received_total"), produced.size());
  EXPECT_EQ(m.value("kafka_eventbus_assigned_partitions"), 4);
  // The engine's own view of the same work: the pool actors handled at least one message per
  // record, and their handler times were sampled.
  EXPECT_GE(
      m.value("hollywood_actor_messages_processed_total", {{"kind", "kafka-pool"}}).value_or(0),
      static_cast<double>(produced.size()));
  EXPECT_GT(m.value("hollywood_actor_handler_seconds_count", {{"kind", "kafka-pool"}}).value_or(0),
            0);
  EXPECT_EQ(bus.stop(SIGTERM), 0);
}

TEST(kafka_process, the_demo_ends_with_no_order_violations_and_nothing_lost) {
  child_process demo({HOLLYWOOD_CLI, "eventbus", "--demo", "--records", "20000", "--json"});
  const std::string line = demo.wait_for_line("\"records\"", 120s);
  ASSERT_FALSE(line.empty());
  const auto j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_TRUE(j.is_object()) << line;
  EXPECT_EQ(j["records"], 20000);
  EXPECT_EQ(j["order_violations"], 0);
  EXPECT_EQ(j["lost"], 0);
  EXPECT_EQ(j["dlq"], 0);
  EXPECT_GT(j["records_per_second"].get<double>(), 0);
  EXPECT_TRUE(j.contains("duplicates"));
  EXPECT_EQ(demo.wait_exit(60s), 0);
}

TEST(kafka_process, a_configuration_with_an_unknown_key_is_refused_naming_it) {
  scratch_dir dir;
  write_file(
      dir.file("bad.yaml"),
      "eventbus:\n  kafka:\n    consumer: {groupId: g, topics: [t]}\n  retry: {maxAttempt: 3}\n");
  FILE* p = ::popen(
      (std::string(HOLLYWOOD_CLI) + " eventbus --config " + dir.file("bad.yaml") + " 2>&1").c_str(),
      "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[1024];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(out.find("eventbus.retry.maxAttempt: unknown key"), std::string::npos) << out;
}

}  // namespace
