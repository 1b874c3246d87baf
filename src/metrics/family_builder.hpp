// SPDX-License-Identifier: MIT
#pragma once

// A metric_sink that builds prometheus-cpp metric families, merging by name with families that
// are already there (the registry's own), for the text serializer.

#include <hollywood/actor/metric_sink.hpp>

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hollywood::metrics::detail {

/// Not thread-safe (one scrape).
class family_builder final : public actor::metric_sink {
 public:
  /// Adds to `families`, which must outlive the builder.
  explicit family_builder(std::vector<prometheus::MetricFamily>& families);

  void declare(std::string_view name, std::string_view help, actor::metric_type type) override;
  void counter(std::string_view name, std::string_view help, actor::metric_labels labels,
               double value) override;
  void gauge(std::string_view name, std::string_view help, actor::metric_labels labels,
             double value) override;
  void histogram(std::string_view name, std::string_view help, actor::metric_labels labels,
                 std::span<const double> bounds, std::span<const std::uint64_t> counts,
                 double sum) override;

 private:
  /// The family `name`, created if new; null if it exists with another type (a programming
  /// error: that series is left out rather than making the exposition invalid).
  prometheus::MetricFamily* family(std::string_view name, std::string_view help,
                                   prometheus::MetricType type);
  prometheus::ClientMetric* series(std::string_view name, std::string_view help,
                                   prometheus::MetricType type, actor::metric_labels labels);

  std::vector<prometheus::MetricFamily>& families_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> position in families_
};

}  // namespace hollywood::metrics::detail
