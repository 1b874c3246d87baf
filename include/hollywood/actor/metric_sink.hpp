// SPDX-License-Identifier: MIT
#pragma once

/// How the layers report metrics without depending on a metrics library. At scrape time an
/// exporter (the `hollywood::metrics` layer) hands a sink to `engine::collect_metrics`,
/// `remote::collect_metrics`, `cluster::collect_metrics`, ...; each calls it once per series with
/// plain values read from counters it keeps anyway:
///
///   void collect_metrics(metric_sink& out) const {
///     out.counter("app_jobs_total", "Jobs finished", {{"queue", "mail"}}, 42);
///     out.gauge("app_queue_depth", "Jobs waiting", {{"queue", "mail"}}, 3);
///   }
///
/// Names follow Prometheus conventions (counters end in `_total`, values are in base units such
/// as seconds and bytes). A family's help and type come with its first series; a family may be
/// reported with no series by `declare`, so that it is listed before anything happened.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace hollywood::actor {

/// One label of a series: a view, valid for the duration of the call that receives it.
struct metric_label {
  std::string_view name;
  std::string_view value;
};

/// The labels of one series (`{}` for none).
using metric_labels = std::initializer_list<metric_label>;

/// What kind of family a name belongs to.
enum class metric_type : std::uint8_t {
  /// A monotonic total (it never goes down while the process lives).
  counter,
  /// A value that goes up and down.
  gauge,
  /// A distribution in buckets, with the sum and count of observations.
  histogram,
};

/// Receives series. The sink belongs to the collecting thread: reporting code calls it from the
/// thread that called `collect_metrics`, never concurrently. Not thread-safe.
class metric_sink {
 public:
  metric_sink() = default;
  metric_sink(const metric_sink&) = delete;
  metric_sink& operator=(const metric_sink&) = delete;
  virtual ~metric_sink() = default;

  /// Lists family `name` even if no series of it follows.
  virtual void declare(std::string_view name, std::string_view help, metric_type type) = 0;

  /// One series of a counter family.
  virtual void counter(std::string_view name, std::string_view help, metric_labels labels,
                       double value) = 0;

  /// One series of a gauge family.
  virtual void gauge(std::string_view name, std::string_view help, metric_labels labels,
                     double value) = 0;

  /// One series of a histogram family. `bounds` are the buckets' upper bounds, ascending;
  /// `counts` has one entry per bound (observations in that bucket alone, not cumulative) plus a
  /// last one for observations above the last bound; `sum` adds up every observation.
  /// @pre `counts.size() == bounds.size() + 1`
  virtual void histogram(std::string_view name, std::string_view help, metric_labels labels,
                         std::span<const double> bounds, std::span<const std::uint64_t> counts,
                         double sum) = 0;
};

}  // namespace hollywood::actor
