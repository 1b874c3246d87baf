// SPDX-License-Identifier: MIT
#pragma once

// The demo kinds of `hollywood node`, and the codecs of their messages.

#include <hollywood/actor.hpp>
#include <hollywood/remote/type_registry.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hollywood::tools {

/// Registers every message type of node.proto.
void register_node_messages(remote::type_registry& types);

/// The kinds `hollywood node --kinds` accepts.
const std::vector<std::string>& node_kind_names();

/// Settings of the demo kinds.
struct node_kind_options {
  /// counter: also record each value in this file (a bitmap of 2^21 bits, memory-mapped, so it
  /// survives the process being killed); empty: no file.
  std::string counter_record;
  /// Middleware for every kind spawned (the node's handler-latency histograms).
  std::vector<actor::middleware> middleware;
};

/// Spawns `kind` with ID "1" (so its PID is ADDRESS/KIND/1); false for an unknown kind or a
/// record file that cannot be mapped.
bool spawn_node_kind(actor::engine& e, std::string_view kind, const node_kind_options& o = {});

}  // namespace hollywood::tools
