// SPDX-License-Identifier: MIT
#pragma once

// The kinds `hollywood node --cluster ...` hosts as cluster identities.

#include <hollywood/actor/engine.hpp>
#include <hollywood/cluster/cluster.hpp>
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

/// Appends "target reason seq" to `path` for every `Visit` that becomes a dead letter on `e`, so
/// a chaos test can account for every message it sent. Returns the subscribed actor.
actor::pid spawn_dead_letter_log(actor::engine& e, const std::string& path);

/// Prints one line on stdout per membership change `c` sees (joined, suspected, left), with the
/// members it now sees; reads `c` only here, so it may outlive it. Returns the subscribed actor.
actor::pid spawn_membership_printer(actor::engine& e, const cluster::cluster& c);

}  // namespace hollywood::tools
