// SPDX-License-Identifier: MIT
// hollywood-bench-caf-net: the two-process workloads (remote-*) with CAF's libcaf_io, a program
// of its own so the io module never weighs on the local workloads' RSS.
//
//   hollywood-bench-caf-net --workload NAME [--workers N] [--quick] [--serve]

#include "common.hpp"

#include <caf/config.hpp>

#include <string>

int main(int argc, char** argv) {
  using namespace cafbench;
  return hollywood::bench::run_main(
      argc, argv, "hollywood-bench-caf-net",
      {{"remote-throughput", run_remote_throughput}, {"remote-reqresp", run_remote_reqresp}},
      [](const options& opt) {
        return "caf " + std::to_string(CAF_MAJOR_VERSION) + "." +
               std::to_string(CAF_MINOR_VERSION) + "." + std::to_string(CAF_PATCH_VERSION) +
               " io middleman (BASP), workers=" +
               (opt.workers > 0 ? std::to_string(opt.workers) : "default(4 on 2 cores)") +
               (opt.serve ? " (server half)" : "");
      });
}
