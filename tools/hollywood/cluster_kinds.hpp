// SPDX-License-Identifier: MIT
#pragma once

// The kinds `hollywood node --cluster ...` hosts as cluster identities.

#include <hollywood/cluster/cluster_config.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hollywood::tools {

/// "entity": answers each `Visit` with a `VisitAck` naming the member (and its incarnation) that
/// handled it; with `handled_log`, also appends "identity member incarnation wall_us seq" to
/// that file for every Visit, in one write, so the single-activation checker can read the logs
/// of every member side by side.
[[nodiscard]] cluster::kind_config entity_kind(std::string member, std::string handled_log,
                                               std::function<std::uint64_t()> incarnation);

}  // namespace hollywood::tools
