// SPDX-License-Identifier: MIT
// hollywood-bench-caf: the CAF 0.17 implementation of bench/WORKLOADS.md.
//
//   hollywood-bench-caf --workload NAME [--workers N] [--quick] [--senders P]
//
// stdout carries only the JSON metric lines; diagnostics go to stderr.
// Exit status: 0 ok, 1 a check failed (or the watchdog fired), 2 bad arguments.

#include "common.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/config.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include <string>

namespace {

using namespace cafbench;
using workload = std::vector<metric> (*)(caf::actor_system&, const options&);

hollywood::bench::workload_fn with_system(workload run) {
  return [run](const options& opt) {
    caf::actor_system_config cfg;
    if (opt.workers > 0) cfg.set("scheduler.max-threads", opt.workers);
    caf::actor_system sys{cfg};
    return run(sys, opt);
    // ~actor_system waits for every actor to terminate; the workloads make all of them quit.
  };
}

}  // namespace

int main(int argc, char** argv) {
  return hollywood::bench::run_main(
      argc, argv, "hollywood-bench-caf",
      {{"fanin", with_system(run_fanin)},
       {"pingpong", with_system(run_pingpong)},
       {"reqresp", with_system(run_reqresp)},
       {"many", with_system(run_many)},
       {"skynet", with_system(run_skynet)},
       {"pairs", with_system(run_pairs)},
       {"storm", with_system(run_storm)},
       {"idle", with_system(run_idle)}},
      [](const options& opt) {
        return "caf " + std::to_string(CAF_MAJOR_VERSION) + "." +
               std::to_string(CAF_MINOR_VERSION) + "." + std::to_string(CAF_PATCH_VERSION) +
               " workers=" +
               (opt.workers > 0 ? std::to_string(opt.workers) : "default(4 on 2 cores)") +
               ", work-stealing scheduler with CAF's default polling idle policy";
      });
}
