// SPDX-License-Identifier: MIT
#pragma once

// Messages between the parts of one member (never on the wire).

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/cluster/cluster.hpp>

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace hollywood::cluster::detail {

/// Provider -> host: the members now (this member included while it is one).
struct view_update {
  std::vector<member_info> members;
};

/// Membership -> host: the cluster declared this member's previous incarnation dead; drop
/// every shard at once (a new view with the new incarnation follows).
struct self_declared_dead {};

/// Provider -> host.
struct claim_result {
  std::string kind;
  std::uint32_t shard = 0;
  bool granted = false;
};

/// Activation (fence middleware) -> host: a message the activation may no longer handle.
struct bounced {
  std::string kind;
  std::string id;
  actor::message payload;
  actor::pid sender;
};

/// cluster::leave -> host: stop serving, hand every shard off, then fulfil `done`.
struct drain_all {
  std::shared_ptr<std::promise<void>> done;
};

/// cluster::leave -> membership: announce the departure, then fulfil `done`.
struct announce_leave {
  std::shared_ptr<std::promise<void>> done;
};

struct tick {};

}  // namespace hollywood::cluster::detail
