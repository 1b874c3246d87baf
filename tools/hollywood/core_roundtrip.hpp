// SPDX-License-Identifier: MIT
#pragma once

// The machine's phase, for benchmark reports: on a shared VM the cost of moving a cache line
// between two vCPUs changes from minute to minute (72 to 444 ns per round trip on the project's
// VM), and every cross-core workload moves with it.

#include <optional>

namespace hollywood::tools {

/// Median round trip, in ns, of one cache line bounced between two threads pinned to two CPUs
/// this process may use; empty when it may use fewer than two. Takes ~0.1 s on an idle machine.
std::optional<double> core_roundtrip_ns();

}  // namespace hollywood::tools
