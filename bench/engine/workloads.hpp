// SPDX-License-Identifier: MIT
// The engine side of bench/WORKLOADS.md: same sizes, payloads and clocks as bench/caf.
#pragma once

#include <hollywood/actor.hpp>

#include "driver.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace hollywood::bench {

/// Creates the engine a workload runs on: `config` with the workers `--workers` names (default
/// one per hardware thread).
std::unique_ptr<actor::engine> make_engine(const options& opt, actor::engine_config config = {});

/// Marks the start of a workload that actors drive.
struct go {};

/// Runs `workload` with the handler-latency middleware (its default sampling, as `hollywood node`
/// uses it) in the spawn options of the actor the workload measures.
std::vector<metric> with_handler_latency(
    const std::function<std::vector<metric>(const actor::spawn_options&)>& workload);

std::vector<metric> run_fanin(const options& opt);
std::vector<metric> run_fanin_metrics(const options& opt);
std::vector<metric> run_drain(const options& opt);
std::vector<metric> run_drain_metrics(const options& opt);
std::vector<metric> run_pingpong(const options& opt);
std::vector<metric> run_reqresp(const options& opt);
std::vector<metric> run_many(const options& opt);
std::vector<metric> run_skynet(const options& opt);
std::vector<metric> run_pairs(const options& opt);
std::vector<metric> run_storm(const options& opt);
std::vector<metric> run_idle(const options& opt);
std::vector<metric> run_remote_throughput(const options& opt);
std::vector<metric> run_remote_reqresp(const options& opt);

}  // namespace hollywood::bench
