// SPDX-License-Identifier: MIT
#pragma once

/// How long actors' handlers take, per kind: a middleware feeding the histogram
/// `hollywood_actor_handler_seconds{kind}`, cheap enough to leave on in production.
///
///   auto reg = std::make_shared<registry>();
///   handler_latency latency(*reg);   // its histograms are served from `reg` while it lives
///   e->spawn(make_producer<worker>(), "worker",
///            spawn_options{}.with_middleware({latency.middleware()}));
///
/// Put it first in the list to time everything below it (other middleware and the handler).
///
/// What it costs: a countdown per message. One message in `latency_sampling::every` of each
/// actor is timed (two steady-clock reads), and so is every message of an actor that handles
/// fewer than about one per `latency_sampling::quiet_gap`, so quiet kinds are measured fully.
/// A timed run is counted into a bucket array of the calling thread: no lock, no atomic
/// read-modify-write, no allocation; a scrape adds the threads' arrays up. Lifecycle messages
/// (`initialized`, `started`, `stopped`) are not timed.
///
/// What it measures: the histogram counts *timed* handler runs, a uniform sample of all of them,
/// so its quantiles and its mean (`_sum / _count`) are those of every message; its `_count` is
/// not the number of messages (that is `hollywood_actor_messages_processed_total`). A handler
/// that throws is not counted (the crash is, in `hollywood_actor_restarts_total`).
/// @threadsafe

#include <hollywood/actor/metric_sink.hpp>
#include <hollywood/actor/middleware.hpp>
#include <hollywood/metrics/registry.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

namespace hollywood::metrics {

namespace detail {
struct latency_state;
}

/// Which handler runs `handler_latency` times. A value type (set-up object).
struct latency_sampling {
  /// Time one message in this many of each actor (>= 1; 1 times all).
  std::uint32_t every = 128;
  /// Also time the next message of an actor whose previous timed message is older than this.
  std::chrono::nanoseconds quiet_gap = std::chrono::milliseconds(1);
};

/// The buckets' upper bounds in seconds: 100 ns to 10 s.
[[nodiscard]] std::span<const double> handler_latency_buckets() noexcept;

/// See the file comment. @threadsafe
class handler_latency {
 public:
  /// Serves the histograms from `reg` until destroyed.
  explicit handler_latency(registry& reg, latency_sampling sampling = {});
  handler_latency(const handler_latency&) = delete;
  handler_latency& operator=(const handler_latency&) = delete;
  ~handler_latency();

  /// The middleware; every copy feeds the same histograms, and may outlive this object (its
  /// measurements are then no longer served).
  [[nodiscard]] actor::middleware middleware() const;

  /// Reports the histograms to `out` (what a scrape of the registry shows).
  void collect(actor::metric_sink& out) const;

 private:
  std::shared_ptr<detail::latency_state> state_;
  source_handle served_;
};

}  // namespace hollywood::metrics
