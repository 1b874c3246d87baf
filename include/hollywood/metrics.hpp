// SPDX-License-Identifier: MIT
#pragma once

/// The metrics layer in one include.

#include <hollywood/metrics/exposer.hpp>
#include <hollywood/metrics/handler_latency.hpp>
#include <hollywood/metrics/registry.hpp>
