// SPDX-License-Identifier: MIT
// hollywood-bench-engine-net: the two-process workloads of bench/WORKLOADS.md (remote-*). A
// separate program, so the networking libraries never weigh on the local workloads' RSS.
//
//   hollywood-bench-engine-net --workload NAME [--workers N] [--quick] [--serve]
#include <hollywood/remote/remote_config.hpp>

#include "workloads.hpp"

#include <string>
#include <thread>

int main(int argc, char** argv) {
  using namespace hollywood::bench;
  return run_main(
      argc, argv, "hollywood-bench-engine-net",
      {{"remote-throughput", run_remote_throughput}, {"remote-reqresp", run_remote_reqresp}},
      [](const options& opt) {
        const auto workers = opt.workers > 0 ? opt.workers : std::thread::hardware_concurrency();
        return "hollywood remote, workers=" + std::to_string(workers) + ", I/O thread spins " +
               std::to_string(hollywood::remote::default_io_spin.count()) + " us then blocks" +
               (opt.serve ? " (server half)" : "");
      });
}
