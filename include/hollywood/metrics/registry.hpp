// SPDX-License-Identifier: MIT
#pragma once

/// Prometheus metrics: a registry of counters, gauges and histograms, exposed as text by
/// `exposer` (HTTP `/metrics`) or `registry::exposition()`. Built on prometheus-cpp, whose types
/// stay out of these headers.
///
///   auto reg = std::make_shared<registry>();
///   counter sent = reg->add_counter("app_messages_sent_total", "Messages sent");
///   gauge lag = reg->add_gauge("app_lag", "Records behind", {{"partition", "3"}});
///   sent.increment();
///   lag.set(42);
///
/// Names follow Prometheus conventions (`_total` for counters, base units such as `_seconds`).
/// Adding a name again returns the same family; the same labels again return the same series.
/// Handles are cheap copies, valid while their registry lives; a default-constructed handle is
/// detached and ignores updates, so code can keep metrics optional without branching.
///
/// Sources report metrics computed at scrape time from counters their layer keeps anyway (the
/// engine's, a remote's, a cluster's: see `actor::metric_sink`), so that nothing is counted twice
/// on a hot path:
///
///   auto engine_metrics = reg->add_source([&e](actor::metric_sink& s) { e->collect_metrics(s); });
///
/// @threadsafe

#include <hollywood/actor/metric_sink.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace hollywood::metrics {

/// Label names to values.
using labels = std::map<std::string, std::string>;

/// A count that only goes up. @threadsafe
class counter {
 public:
  counter() noexcept = default;
  void increment(double by = 1.0) const noexcept;
  [[nodiscard]] double value() const noexcept;

 private:
  friend class registry;
  explicit counter(prometheus::Counter* c) noexcept : c_(c) {}
  prometheus::Counter* c_ = nullptr;
};

/// A value that goes up and down. @threadsafe
class gauge {
 public:
  gauge() noexcept = default;
  void set(double v) const noexcept;
  void increment(double by = 1.0) const noexcept;
  void decrement(double by = 1.0) const noexcept;
  [[nodiscard]] double value() const noexcept;

 private:
  friend class registry;
  explicit gauge(prometheus::Gauge* g) noexcept : g_(g) {}
  prometheus::Gauge* g_ = nullptr;
};

/// Observations counted into buckets (cumulative, with sum and count). @threadsafe
class histogram {
 public:
  histogram() noexcept = default;
  void observe(double v) const noexcept;

 private:
  friend class registry;
  explicit histogram(prometheus::Histogram* h) noexcept : h_(h) {}
  prometheus::Histogram* h_ = nullptr;
};

/// Bucket bounds for latencies in seconds: 100 us to 30 s.
std::vector<double> latency_buckets();

/// Reports metrics to the sink it is given, at every scrape.
using source = std::function<void(actor::metric_sink&)>;

class registry;

/// Keeps a source in its registry; destroying it removes the source (waiting for a scrape that is
/// running it, so what the source captured may be destroyed right after). Move-only; a
/// default-constructed handle holds nothing. Not thread-safe (one owner).
class source_handle {
 public:
  source_handle() noexcept = default;
  source_handle(source_handle&& other) noexcept;
  source_handle& operator=(source_handle&& other) noexcept;
  source_handle(const source_handle&) = delete;
  source_handle& operator=(const source_handle&) = delete;
  ~source_handle();

  /// Removes the source now.
  void reset() noexcept;

 private:
  friend class registry;
  struct sources;
  source_handle(std::weak_ptr<sources> list, std::uint64_t id) noexcept
      : list_(std::move(list)), id_(id) {}
  std::weak_ptr<sources> list_;
  std::uint64_t id_ = 0;
};

/// See the file comment. @threadsafe
class registry {
 public:
  registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;
  ~registry();

  /// The series `name{labels}` of a counter family (created on first use).
  counter add_counter(std::string_view name, std::string_view help, const labels& l = {});
  gauge add_gauge(std::string_view name, std::string_view help, const labels& l = {});
  /// `bounds` are the buckets' upper bounds, ascending (the first call of a family fixes them).
  histogram add_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                          const labels& l = {});

  /// Removes a series (a gauge for a partition that is gone, say); its handle becomes invalid.
  void remove(std::string_view name, const gauge& g);

  /// Adds a source run at every scrape, until the returned handle is destroyed. Its families are
  /// listed with the registry's own (a name both use is one family).
  [[nodiscard]] source_handle add_source(source collect);

  /// Everything (the registry's series, then the sources'), in Prometheus' text exposition
  /// format 0.0.4.
  [[nodiscard]] std::string exposition() const;

 private:
  struct families;
  std::shared_ptr<prometheus::Registry> native_;
  std::unique_ptr<families> families_;
  mutable std::mutex mu_;  // guards families_ (prometheus-cpp locks its own series)
  std::shared_ptr<source_handle::sources> sources_;
};

}  // namespace hollywood::metrics
