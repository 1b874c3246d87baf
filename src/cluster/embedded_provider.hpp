// SPDX-License-Identifier: MIT
#pragma once

// The embedded provider: a static seed list, all-to-all heartbeats over the remote carrying each
// member's view (so joins and deaths spread by gossip), suspicion after missed heartbeats,
// indirect probes, death after a suspicion timeout, and majority fencing.

#include "cluster_impl.hpp"
#include "provider.hpp"

#include <memory>

namespace hollywood::cluster::detail {

[[nodiscard]] std::unique_ptr<provider> make_embedded_provider(
    const std::shared_ptr<cluster_impl>& impl);

}  // namespace hollywood::cluster::detail
