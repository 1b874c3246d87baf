// SPDX-License-Identifier: MIT
// Shared pieces of the CAF 0.17 side of the benchmark suite (see bench/WORKLOADS.md).
#pragma once

#include "driver.hpp"

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <vector>

namespace cafbench {

using hollywood::bench::bench_clock;
using hollywood::bench::check_text;
using hollywood::bench::finish_line;
using hollywood::bench::idle_settle;
using hollywood::bench::metric;
using hollywood::bench::next_random;
using hollywood::bench::options;
using hollywood::bench::peak_rss_bytes;
using hollywood::bench::rss_bytes;
using hollywood::bench::seconds_between;
using hollywood::bench::start_gate;

// WORKLOADS.md's `struct payload { std::uint64_t value; }`. CAF 0.17 needs every message type
// announced; a bare uint64_t is a built-in message type and carries exactly the same data.
using payload = std::uint64_t;

using start_atom = caf::atom_constant<caf::atom("start")>;
using report_atom = caf::atom_constant<caf::atom("report")>;

// Workloads. Each returns its metrics; main prints them.
std::vector<metric> run_fanin(caf::actor_system& sys, const options& opt);
std::vector<metric> run_pingpong(caf::actor_system& sys, const options& opt);
std::vector<metric> run_reqresp(caf::actor_system& sys, const options& opt);
std::vector<metric> run_many(caf::actor_system& sys, const options& opt);
std::vector<metric> run_skynet(caf::actor_system& sys, const options& opt);
std::vector<metric> run_pairs(caf::actor_system& sys, const options& opt);
std::vector<metric> run_storm(caf::actor_system& sys, const options& opt);
std::vector<metric> run_idle(caf::actor_system& sys, const options& opt);
// Two processes: they make their own actor systems (with the io middleman).
std::vector<metric> run_remote_throughput(const options& opt);
std::vector<metric> run_remote_reqresp(const options& opt);

}  // namespace cafbench
