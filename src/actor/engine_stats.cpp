// SPDX-License-Identifier: MIT
// engine::stats: the snapshot of actors, kinds, dead letters and workers.
#include "engine_impl.hpp"
#include "process.hpp"

#include <algorithm>
#include <unordered_map>

namespace hollywood::actor::detail {

engine_stats engine_impl::stats(scope what) const {
  engine_stats s;
  std::lock_guard lock(stats_mu_);
  for (std::size_t r = 0; r < dead_letter_reason_count; ++r) {
    s.dead_letters_by_reason[r] = dead_letters_[r].load(std::memory_order_relaxed);
    s.dead_letters += s.dead_letters_by_reason[r];
  }
  s.max_restarts_exceeded = max_restarts_exceeded();
  s.memory_returns = memory_returns_.load(std::memory_order_relaxed);
  s.memory_returned_bytes = memory_returned_bytes_.load(std::memory_order_relaxed);
  s.sender_backoffs = sender_backoffs_.load(std::memory_order_relaxed);
  s.workers = scheduler_.worker_count();
  if (what == scope::actors) {
    registry_.for_each([&](process& p) {
      s.per_actor.push_back(actor_stats{pid(&p), p.inbox_depth(), p.processed(), p.restarts()});
    });
    s.actors = s.per_actor.size();
  } else {
    s.actors = registry_.size();
  }
  add_kind_stats(s);
  add_worker_stats(s);
  return s;
}

void engine_impl::add_kind_stats(engine_stats& s) const {
  // The stopped actors' totals are read before the live actors are. An actor stopping in between
  // is then missed by this snapshot (process::finalize folds its count in only after it left the
  // registry) rather than counted twice; the reported total never dips, see below.
  std::unordered_map<const kind_record*, std::size_t> index;
  std::vector<kind_record*> records;
  {
    std::lock_guard lock(kinds_mu_);
    for (const auto& [name, record] : kinds_) {
      index.emplace(record.get(), records.size());
      records.push_back(record.get());
      kind_stats k;
      k.kind = record->name;
      k.processed = record->retired_processed.load();
      s.per_kind.push_back(std::move(k));
    }
  }
  registry_.for_each([&](process& p) {
    auto it = index.find(&p.kind_totals());
    if (it == index.end()) return;  // a kind newer than the list above: the next snapshot has it
    kind_stats& k = s.per_kind[it->second];
    const std::size_t depth = p.inbox_depth();
    ++k.actors;
    k.processed += p.processed();
    k.inbox_depth_sum += depth;
    k.inbox_depth_max = std::max(k.inbox_depth_max, depth);
  });
  for (std::size_t i = 0; i < records.size(); ++i) {
    kind_record& r = *records[i];
    kind_stats& k = s.per_kind[i];
    k.restarts = r.restarts.load(std::memory_order_relaxed);
    k.max_restarts_exceeded = r.max_restarts_exceeded.load(std::memory_order_relaxed);
    // A snapshot that missed a stopping actor would otherwise report less than the last one.
    k.processed = std::max(k.processed, r.reported_processed);
    r.reported_processed = k.processed;
  }
  std::sort(s.per_kind.begin(), s.per_kind.end(),
            [](const kind_stats& a, const kind_stats& b) { return a.kind < b.kind; });
}

void engine_impl::add_worker_stats(engine_stats& s) const {
  const std::int64_t now = to_ns(std::chrono::steady_clock::now());
  const std::size_t n = scheduler_.worker_count();
  busy_window& w = busy_;
  if (w.reported.size() != n) {
    w.reported.assign(n, std::chrono::nanoseconds{0});
    w.busy_then.assign(n, std::chrono::nanoseconds{0});
    w.ratio.assign(n, 0.0);
  }
  const bool first = w.started == 0;
  const std::int64_t window = now - w.started;
  const bool full = !first && window >= std::chrono::nanoseconds(busy_ratio_window).count();
  for (std::size_t i = 0; i < n; ++i) {
    worker_stats ws = scheduler_.time_of(i, now);
    // The idle meter and the clock are read a few nanoseconds apart: never report less busy time
    // than before.
    if (ws.busy < w.reported[i]) {
      ws.idle -= std::min(ws.idle, w.reported[i] - ws.busy);
      ws.busy = w.reported[i];
    }
    w.reported[i] = ws.busy;
    const auto age = static_cast<double>((ws.busy + ws.idle).count());
    if (first) {
      w.ratio[i] = age > 0 ? static_cast<double>(ws.busy.count()) / age : 0.0;
    } else if (full) {
      w.ratio[i] =
          static_cast<double>((ws.busy - w.busy_then[i]).count()) / static_cast<double>(window);
    }
    if (first || full) w.busy_then[i] = ws.busy;
    ws.busy_ratio = std::clamp(w.ratio[i], 0.0, 1.0);
    s.per_worker.push_back(ws);
  }
  if (first || full) w.started = now;
}

}  // namespace hollywood::actor::detail
