// SPDX-License-Identifier: MIT
// engine::collect_metrics: the engine's snapshot under Prometheus names (docs/operations.md).
#include <hollywood/actor/engine.hpp>

#include "engine_impl.hpp"

#include <chrono>
#include <string>

namespace hollywood::actor {

namespace {

double seconds(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

void engine::collect_metrics(metric_sink& out) const {
  const engine_stats s = impl_->stats(detail::engine_impl::scope::kinds);
  constexpr std::string_view actors = "hollywood_actors";
  constexpr std::string_view actors_help = "Live actors, by kind";
  constexpr std::string_view processed = "hollywood_actor_messages_processed_total";
  constexpr std::string_view processed_help =
      "Messages handled by the kind's actors (stopped ones included)";
  constexpr std::string_view depth = "hollywood_actor_inbox_depth";
  constexpr std::string_view depth_help =
      "Messages in the kind's inboxes (queued, or being handled), added up";
  constexpr std::string_view depth_max = "hollywood_actor_inbox_depth_max";
  constexpr std::string_view depth_max_help = "The deepest inbox among the kind's actors";
  constexpr std::string_view restarts = "hollywood_actor_restarts_total";
  constexpr std::string_view restarts_help = "Restarts of the kind's actors after a crash";
  constexpr std::string_view exceeded = "hollywood_actor_max_restarts_exceeded_total";
  constexpr std::string_view exceeded_help =
      "Actors of the kind that crashed past their restart limit and stopped";
  out.declare(actors, actors_help, metric_type::gauge);
  out.declare(processed, processed_help, metric_type::counter);
  out.declare(depth, depth_help, metric_type::gauge);
  out.declare(depth_max, depth_max_help, metric_type::gauge);
  out.declare(restarts, restarts_help, metric_type::counter);
  out.declare(exceeded, exceeded_help, metric_type::counter);
  for (const kind_stats& k : s.per_kind) {
    const metric_labels kind = {{"kind", k.kind}};
    out.gauge(actors, actors_help, kind, static_cast<double>(k.actors));
    out.counter(processed, processed_help, kind, static_cast<double>(k.processed));
    out.gauge(depth, depth_help, kind, static_cast<double>(k.inbox_depth_sum));
    out.gauge(depth_max, depth_max_help, kind, static_cast<double>(k.inbox_depth_max));
    out.counter(restarts, restarts_help, kind, static_cast<double>(k.restarts));
    out.counter(exceeded, exceeded_help, kind, static_cast<double>(k.max_restarts_exceeded));
  }
  for (std::size_t r = 0; r < dead_letter_reason_count; ++r) {
    out.counter("hollywood_dead_letters_total", "Undeliverable messages, by reason",
                {{"reason", to_string(static_cast<dead_letter_reason>(r))}},
                static_cast<double>(s.dead_letters_by_reason[r]));
  }
  out.counter("hollywood_sender_backoffs_total",
              "Times a plain-thread sender yielded its core to a receiver far behind", {},
              static_cast<double>(s.sender_backoffs));
  out.gauge("hollywood_scheduler_workers", "Engine worker threads", {},
            static_cast<double>(s.workers));
  for (std::size_t i = 0; i < s.per_worker.size(); ++i) {
    const worker_stats& w = s.per_worker[i];
    const std::string index = std::to_string(i);
    out.counter("hollywood_scheduler_worker_busy_seconds_total",
                "Time the worker spent running actors", {{"worker", index}}, seconds(w.busy));
    out.gauge("hollywood_scheduler_worker_busy_ratio",
              "Busy share of the worker's time over the last window of at least a second",
              {{"worker", index}}, w.busy_ratio);
  }
}

}  // namespace hollywood::actor
