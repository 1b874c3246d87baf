// SPDX-License-Identifier: MIT
// YAML for bus_config. Strict on purpose: an unknown key is usually a typo of a known one, and a
// typo silently ignored is a setting silently at its default; every refusal names the key.
#include <hollywood/error.hpp>
#include <hollywood/eventbus/kafka/config.hpp>

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>

namespace hollywood::eventbus::kafka {

namespace {

/// Thrown inside the parser only; parse_config turns it into an error code and text.
struct config_error {
  std::string text;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw config_error{path + ": " + what};
}

void expect_map(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) fail(path, "expected a mapping");
}

/// Refuses keys outside `allowed`.
void check_keys(const YAML::Node& node, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
  expect_map(node, path);
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) fail(path, "keys must be plain names");
    const std::string key = kv.first.Scalar();
    bool known = false;
    for (auto a : allowed)
      known = known || key == a;
    if (!known) fail(path + "." + key, "unknown key");
  }
}

std::string read_string(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) fail(path, "expected a string");
  return node.Scalar();
}

long long read_integer(const YAML::Node& node, const std::string& path, long long min,
                       long long max = std::numeric_limits<long long>::max()) {
  if (!node.IsScalar()) fail(path, "expected an integer");
  const std::string& s = node.Scalar();
  long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) fail(path, "expected an integer");
  if (v < min || v > max) {
    fail(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

std::chrono::milliseconds read_duration(const YAML::Node& node, const std::string& path) {
  const char* expected = "expected a duration such as 250ms, 10s, 5m or 1h";
  if (!node.IsScalar()) fail(path, expected);
  const std::string& s = node.Scalar();
  long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || v < 0) fail(path, expected);
  const std::string unit(end, s.data() + s.size());
  long long scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    fail(path, expected);
  }
  if (v > std::numeric_limits<long long>::max() / scale) fail(path, "too large");
  return std::chrono::milliseconds(v * scale);
}

std::vector<std::string> read_string_list(const YAML::Node& node, const std::string& path) {
  if (node.IsNull()) return {};
  if (!node.IsSequence()) fail(path, "expected a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    out.push_back(read_string(node[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

template <class E>
E read_enum(const YAML::Node& node, const std::string& path,
            std::initializer_list<std::pair<std::string_view, E>> names) {
  const std::string s = node.IsScalar() ? node.Scalar() : std::string{};
  for (const auto& [name, value] : names) {
    if (s == name) return value;
  }
  std::string list;
  for (const auto& [name, value] : names)
    list += (list.empty() ? "" : ", ") + std::string(name);
  fail(path, "expected one of " + list);
}

void read_producer(const YAML::Node& node, const std::string& path, producer_config& out) {
  check_keys(node, path, {"requiredAcks", "timeout"});
  if (auto n = node["requiredAcks"]) {
    if (n.IsScalar() && n.Scalar() == "all") {
      out.required_acks = -1;
    } else {
      out.required_acks = static_cast<int>(read_integer(n, path + ".requiredAcks", -1, 1));
    }
  }
  if (auto n = node["timeout"]) out.timeout = read_duration(n, path + ".timeout");
}

void read_consumer(const YAML::Node& node, const std::string& path, consumer_config& out) {
  check_keys(
      node, path,
      {"groupId", "topics", "startOffset", "commitInterval", "revokeTimeout", "shutdownTimeout"});
  if (auto n = node["groupId"]) out.group_id = read_string(n, path + ".groupId");
  if (auto n = node["topics"]) out.topics = read_string_list(n, path + ".topics");
  if (auto n = node["startOffset"]) {
    out.start = read_enum<start_offset>(
        n, path + ".startOffset",
        {{"earliest", start_offset::earliest}, {"latest", start_offset::latest}});
  }
  if (auto n = node["commitInterval"]) {
    out.commit_interval = read_duration(n, path + ".commitInterval");
  }
  if (auto n = node["revokeTimeout"])
    out.revoke_timeout = read_duration(n, path + ".revokeTimeout");
  if (auto n = node["shutdownTimeout"]) {
    out.shutdown_timeout = read_duration(n, path + ".shutdownTimeout");
  }
}

void read_kafka(const YAML::Node& node, const std::string& path, kafka_config& out) {
  check_keys(node, path, {"brokers", "properties", "producer", "consumer"});
  if (auto n = node["brokers"]) out.brokers = read_string_list(n, path + ".brokers");
  if (auto n = node["properties"]) {
    if (!n.IsNull()) {
      expect_map(n, path + ".properties");
      for (const auto& kv : n) {
        const std::string key = kv.first.Scalar();
        out.properties[key] = read_string(kv.second, path + ".properties." + key);
      }
    }
  }
  if (auto n = node["producer"]) read_producer(n, path + ".producer", out.producer);
  if (auto n = node["consumer"]) read_consumer(n, path + ".consumer", out.consumer);
}

void read_pool(const YAML::Node& node, const std::string& path, pool_config& out) {
  check_keys(
      node, path,
      {"mode", "size", "maxInFlight", "maxInFlightPerPartition", "idleTtl", "handlerThreads"});
  if (auto n = node["mode"]) {
    out.routing = read_enum<pool_routing>(
        n, path + ".mode",
        {{"hashed", pool_routing::hashed}, {"perAggregate", pool_routing::per_aggregate}});
  }
  if (auto n = node["size"]) {
    out.size = static_cast<std::size_t>(read_integer(n, path + ".size", 1, 1'000'000));
  }
  if (auto n = node["maxInFlight"]) {
    out.max_in_flight =
        static_cast<std::size_t>(read_integer(n, path + ".maxInFlight", 1, 100'000'000));
  }
  if (auto n = node["maxInFlightPerPartition"]) {
    out.max_in_flight_per_partition = static_cast<std::size_t>(
        read_integer(n, path + ".maxInFlightPerPartition", 0, 100'000'000));
  }
  if (auto n = node["idleTtl"]) out.idle_ttl = read_duration(n, path + ".idleTtl");
  if (auto n = node["handlerThreads"]) {
    out.handler_threads =
        static_cast<std::size_t>(read_integer(n, path + ".handlerThreads", 1, 1024));
  }
}

void read_retry(const YAML::Node& node, const std::string& path, retry_config& out) {
  check_keys(node, path, {"maxAttempts", "initialBackoff", "maxBackoff"});
  if (auto n = node["maxAttempts"]) {
    out.max_attempts = static_cast<std::uint32_t>(read_integer(n, path + ".maxAttempts", 1, 1000));
  }
  if (auto n = node["initialBackoff"]) {
    out.initial_backoff = read_duration(n, path + ".initialBackoff");
  }
  if (auto n = node["maxBackoff"]) out.max_backoff = read_duration(n, path + ".maxBackoff");
}

bus_config read_root(const YAML::Node& root) {
  bus_config cfg;
  if (!root.IsMap()) fail("(root)", "expected a mapping with the key 'eventbus'");
  check_keys(root, "(root)", {"eventbus"});
  const YAML::Node bus = root["eventbus"];
  const std::string p = "eventbus";
  check_keys(
      bus, p,
      {"type", "kafka", "pool", "retry", "deadLetter", "aggregateId", "onMalformed", "metrics"});
  if (auto n = bus["type"]) {
    if (read_string(n, p + ".type") != "kafka") fail(p + ".type", "only 'kafka' is supported");
  }
  if (auto n = bus["kafka"]) read_kafka(n, p + ".kafka", cfg.kafka);
  if (auto n = bus["pool"]) read_pool(n, p + ".pool", cfg.pool);
  if (auto n = bus["retry"]) read_retry(n, p + ".retry", cfg.retry);
  if (auto n = bus["deadLetter"]) {
    check_keys(n, p + ".deadLetter", {"topic"});
    if (auto t = n["topic"]) cfg.dead_letter.topic = read_string(t, p + ".deadLetter.topic");
  }
  if (auto n = bus["aggregateId"]) {
    check_keys(n, p + ".aggregateId", {"envelopeField", "header"});
    if (auto f = n["envelopeField"]) {
      cfg.aggregate_id.envelope_field =
          f.IsNull() ? std::string{} : read_string(f, p + ".aggregateId.envelopeField");
    }
    if (auto h = n["header"]) {
      cfg.aggregate_id.header =
          h.IsNull() ? std::string{} : read_string(h, p + ".aggregateId.header");
    }
  }
  if (auto n = bus["onMalformed"]) {
    cfg.on_malformed = read_enum<malformed_policy>(n, p + ".onMalformed",
                                                   {{"dlq", malformed_policy::dlq},
                                                    {"skip", malformed_policy::skip},
                                                    {"fail", malformed_policy::fail}});
  }
  if (auto n = bus["metrics"]) {
    check_keys(n, p + ".metrics", {"listen"});
    if (auto l = n["listen"]) cfg.metrics.listen = read_string(l, p + ".metrics.listen");
  }
  return cfg;
}

}  // namespace

expected<bus_config> parse_config(std::string_view yaml, std::string& problem) {
  bus_config cfg;
  try {
    cfg = read_root(YAML::Load(std::string(yaml)));
  } catch (const config_error& e) {
    problem = e.text;
    return unexpected(errc::invalid_config);
  } catch (const YAML::Exception& e) {
    problem = std::string("not valid YAML: ") + e.what();
    return unexpected(errc::invalid_config);
  }
  if (auto p = cfg.problem(); !p.empty()) {
    problem = std::move(p);
    return unexpected(errc::invalid_config);
  }
  return cfg;
}

expected<bus_config> load_config(const std::string& path, std::string& problem) {
  std::ifstream in(path);
  if (!in) {
    problem = "cannot read " + path;
    return unexpected(std::make_error_code(std::errc::no_such_file_or_directory));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), problem);
}

}  // namespace hollywood::eventbus::kafka
