// SPDX-License-Identifier: MIT
#pragma once

/// The cluster layer: membership, sharded single activation, failover.
#include <hollywood/cluster/cluster.hpp>
#include <hollywood/cluster/cluster_config.hpp>
#include <hollywood/cluster/events.hpp>
#include <hollywood/cluster/identity.hpp>
#include <hollywood/cluster/placement.hpp>
