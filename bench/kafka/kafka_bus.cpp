// SPDX-License-Identifier: MIT
// kafka-bus (bench/WORKLOADS.md): the bus against an in-process mock cluster, 4 partitions, 1000
// aggregates, a handler whose 2 ms latency is a timer (not a sleeping thread), per-aggregate
// order checked. Twice: the bus as configured by default (many records per partition in flight)
// and the same bus with one record in flight per partition, the reference design's behaviour.
#include <hollywood/actor.hpp>
#include <hollywood/eventbus.hpp>

#include "driver.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hollywood::bench {

namespace {

namespace kafka = eventbus::kafka;
using namespace std::chrono_literals;

constexpr int partitions = 4;
constexpr int aggregates = 1000;
constexpr auto handler_latency = 2ms;

struct finish_later {
  kafka::attempt_completion done;
};

/// What one mode measured.
struct run_result {
  double records_per_second = 0;
  std::string failure;
};

run_result run_mode(actor::engine& e, std::uint64_t records, std::size_t per_partition,
                    const std::string& name) {
  run_result out;
  auto cluster = kafka::mock_cluster::create(1).value();
  const std::string topic = "bench." + name;
  (void)cluster->create_topic(topic, partitions);
  {
    // Produced before consuming, so the clock measures the bus alone.
    auto pub = kafka::publisher::create(cluster->bootstrap_servers()).value();
    std::vector<std::uint64_t> seq(aggregates, 0);
    std::atomic<std::uint64_t> failed{0};
    for (std::uint64_t i = 0; i < records; ++i) {
      const auto a = static_cast<std::size_t>(i % aggregates);
      const std::string agg = "agg-" + std::to_string(a);
      pub->publish(topic, agg,
                   R"({"aggregateId":")" + agg + R"(","seq":)" + std::to_string(seq[a]++) + "}", {},
                   [&failed](expected<kafka::delivery_report> d) {
                     if (!d) failed.fetch_add(1);
                   });
    }
    if (!pub->flush(60s) || failed.load() != 0) {
      out.failure = "producing the input failed";
      return out;
    }
  }
  kafka::bus_config cfg;
  cfg.kafka.brokers = {cluster->bootstrap_servers()};
  cfg.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
  cfg.kafka.consumer.group_id = "bench-" + name;
  cfg.kafka.consumer.topics = {topic};
  cfg.pool.max_in_flight_per_partition = per_partition;
  auto bus = kafka::bus::create(e, cfg).value();

  std::mutex mu;  // handlers of different aggregates run at once
  std::vector<std::uint64_t> next(aggregates, 0);
  std::uint64_t violations = 0;
  bool started = false;
  bench_clock::time_point first{};
  const actor::pid finisher = e.spawn_fn(
      [](actor::context& ctx) {
        if (auto* f = ctx.get_if<finish_later>()) f->done.succeed();
      },
      "bench-finisher");
  (void)bus->handle(topic, [&](const kafka::record& r, kafka::attempt_completion done) {
    const auto v = r.value();
    const auto seq = std::stoull(std::string(v.substr(v.find("\"seq\":") + 6)));
    const auto a = std::stoul(std::string(r.aggregate_id().substr(4)));
    {
      std::lock_guard lock(mu);
      if (!started) {
        started = true;  // the clock starts with the first record, after the group's join
        first = bench_clock::now();
      }
      if (seq == next[a]) {
        ++next[a];
      } else {
        ++violations;
      }
    }
    e.send_after(finisher, finish_later{std::move(done)},
                 std::chrono::duration_cast<std::chrono::nanoseconds>(handler_latency));
  });
  (void)bus->start();
  const auto deadline = bench_clock::now() + 100s;
  while (bus->stats().handled < records && bench_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);  // polling the finished count; 1 ms of ~1 s measured
  }
  const auto last = bench_clock::now();
  const auto handled = bus->stats().handled;
  bus->stop();
  e.poison(finisher).wait();
  std::lock_guard lock(mu);
  if (handled < records) {
    out.failure = name + ": handled " + std::to_string(handled) + " of " + std::to_string(records);
  } else if (violations != 0) {
    out.failure = name + ": " + std::to_string(violations) + " order violations";
  }
  out.records_per_second = static_cast<double>(records) / seconds_between(first, last);
  return out;
}

}  // namespace

std::vector<metric> run_kafka_bus(const options& opt) {
  auto e = actor::engine::create(actor::engine_config{}.with_workers(opt.workers)).value();
  const std::uint64_t many = opt.quick ? 30'000 : 100'000;
  const std::uint64_t one = opt.quick ? 1'000 : 4'000;
  const auto ours = run_mode(*e, many, 0, "pipelined");
  const auto serial = run_mode(*e, one, 1, "serial");
  const double ratio =
      serial.records_per_second > 0 ? ours.records_per_second / serial.records_per_second : 0;
  return {
      {"kafka-bus", ours.records_per_second, "records/s", "higher", check_text(ours.failure)},
      {"kafka-bus-one-in-flight", serial.records_per_second, "records/s", "higher",
       check_text(serial.failure)},
      {"kafka-bus-ratio", ratio, "x", "higher",
       check_text(ours.failure.empty() ? serial.failure : ours.failure)},
  };
}

}  // namespace hollywood::bench
