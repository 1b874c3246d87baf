// SPDX-License-Identifier: MIT
#pragma once

/// Umbrella header of the ringbuffer layer: lock-free queues and rings with no dependencies on
/// the rest of the engine.
/// - `mpsc_queue`: unbounded multi-producer/single-consumer queue (actor inboxes).
/// - `mpsc_ring`: bounded multi-producer/single-consumer ring (bounded inboxes).
/// - `spsc_ring`: bounded single-producer/single-consumer ring.

#include <hollywood/ringbuffer/fwd.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>
#include <hollywood/ringbuffer/mpsc_ring.hpp>
#include <hollywood/ringbuffer/push_result.hpp>
#include <hollywood/ringbuffer/spsc_ring.hpp>
