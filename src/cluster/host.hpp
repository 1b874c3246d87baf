// SPDX-License-Identifier: MIT
#pragma once

// The host actor (`cluster/host`): routes every message for an identity to the member that owns
// its shard, runs the shard hand-off protocol, and does lookup-or-spawn of the activations of
// the shards this member serves. All its state is confined to the actor.

#include <hollywood/actor/receiver.hpp>

#include "cluster_impl.hpp"

#include <memory>

namespace hollywood::cluster::detail {

[[nodiscard]] actor::producer make_host(std::shared_ptr<cluster_impl> impl);

}  // namespace hollywood::cluster::detail
