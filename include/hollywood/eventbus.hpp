// SPDX-License-Identifier: MIT
#pragma once

/// The Kafka event bus in one include.

#include <hollywood/eventbus/kafka/bus.hpp>
#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/eventbus/kafka/events.hpp>
#include <hollywood/eventbus/kafka/handler.hpp>
#include <hollywood/eventbus/kafka/mock_cluster.hpp>
#include <hollywood/eventbus/kafka/publisher.hpp>
#include <hollywood/eventbus/kafka/record.hpp>
