// SPDX-License-Identifier: MIT
// hollywood-bench-engine: this engine's implementation of bench/WORKLOADS.md.
//
//   hollywood-bench-engine --workload NAME [--workers N] [--quick] [--senders P]
#include "workloads.hpp"

#include <string>
#include <thread>

namespace hollywood::bench {

std::unique_ptr<actor::engine> make_engine(const options& opt, actor::engine_config config) {
  return actor::engine::create(config.with_workers(opt.workers)).value();
}

}  // namespace hollywood::bench

int main(int argc, char** argv) {
  using namespace hollywood::bench;
  return run_main(argc, argv, "hollywood-bench-engine",
                  {{"fanin", run_fanin},
                   {"fanin-metrics", run_fanin_metrics},
                   {"drain", run_drain},
                   {"drain-metrics", run_drain_metrics},
                   {"pingpong", run_pingpong},
                   {"reqresp", run_reqresp},
                   {"many", run_many},
                   {"skynet", run_skynet},
                   {"pairs", run_pairs},
                   {"storm", run_storm},
                   {"idle", run_idle}},
                  [](const options& opt) {
                    const auto workers =
                        opt.workers > 0 ? opt.workers : std::thread::hardware_concurrency();
                    return "hollywood workers=" + std::to_string(workers) + ", idle policy: spin " +
                           std::to_string(hollywood::actor::default_spin.count() / 1000) +
                           " us then park (futex)";
                  });
}
