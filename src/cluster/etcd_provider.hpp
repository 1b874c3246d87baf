// SPDX-License-Identifier: MIT
#pragma once

// The etcd provider: members registered under a lease kept alive every second, membership read
// by range + watch from the next revision (read again after compaction or a stream error),
// shards claimed with create-if-absent transactions bound to the lease, and a fence that closes
// when keep-alives stop being answered, before the lease can expire.

#include "cluster_impl.hpp"
#include "provider.hpp"

#include <memory>

namespace hollywood::cluster::detail {

[[nodiscard]] std::unique_ptr<provider> make_etcd_provider(
    const std::shared_ptr<cluster_impl>& impl);

}  // namespace hollywood::cluster::detail
