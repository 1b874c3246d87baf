// SPDX-License-Identifier: MIT
// hollywood-bench-kafka: the kafka-bus workload of bench/WORKLOADS.md, a program of its own so
// librdkafka never weighs on the engine workloads' figures.
//
//   hollywood-bench-kafka --workload kafka-bus [--workers N] [--quick]
#include "driver.hpp"

#include <string>
#include <thread>
#include <vector>

namespace hollywood::bench {
std::vector<metric> run_kafka_bus(const options& opt);
}

int main(int argc, char** argv) {
  using namespace hollywood::bench;
  return run_main(
      argc, argv, "hollywood-bench-kafka", {{"kafka-bus", run_kafka_bus}}, [](const options& opt) {
        const auto workers = opt.workers > 0 ? opt.workers : std::thread::hardware_concurrency();
        return "hollywood Kafka bus on librdkafka's mock cluster, workers=" +
               std::to_string(workers);
      });
}
