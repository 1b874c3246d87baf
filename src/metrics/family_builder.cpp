// SPDX-License-Identifier: MIT
#include "family_builder.hpp"

#include <limits>
#include <string>

namespace hollywood::metrics::detail {

namespace {

prometheus::MetricType native_type(actor::metric_type t) noexcept {
  switch (t) {
    case actor::metric_type::counter:
      return prometheus::MetricType::Counter;
    case actor::metric_type::gauge:
      return prometheus::MetricType::Gauge;
    case actor::metric_type::histogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

}  // namespace

family_builder::family_builder(std::vector<prometheus::MetricFamily>& families)
    : families_(families) {
  for (std::size_t i = 0; i < families_.size(); ++i)
    index_.emplace(families_[i].name, i);
}

prometheus::MetricFamily* family_builder::family(std::string_view name, std::string_view help,
                                                 prometheus::MetricType type) {
  auto [it, added] = index_.try_emplace(std::string(name), families_.size());
  if (added) families_.push_back({std::string(name), std::string(help), type, {}});
  prometheus::MetricFamily& f = families_[it->second];
  return f.type == type ? &f : nullptr;
}

prometheus::ClientMetric* family_builder::series(std::string_view name, std::string_view help,
                                                 prometheus::MetricType type,
                                                 actor::metric_labels labels) {
  prometheus::MetricFamily* f = family(name, help, type);
  if (f == nullptr) return nullptr;
  prometheus::ClientMetric& m = f->metric.emplace_back();
  for (const actor::metric_label& l : labels)
    m.label.push_back({std::string(l.name), std::string(l.value)});
  return &m;
}

void family_builder::declare(std::string_view name, std::string_view help,
                             actor::metric_type type) {
  (void)family(name, help, native_type(type));
}

void family_builder::counter(std::string_view name, std::string_view help,
                             actor::metric_labels labels, double value) {
  if (auto* m = series(name, help, prometheus::MetricType::Counter, labels)) {
    m->counter.value = value;
  }
}

void family_builder::gauge(std::string_view name, std::string_view help,
                           actor::metric_labels labels, double value) {
  if (auto* m = series(name, help, prometheus::MetricType::Gauge, labels)) m->gauge.value = value;
}

void family_builder::histogram(std::string_view name, std::string_view help,
                               actor::metric_labels labels, std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  if (counts.size() != bounds.size() + 1) return;
  auto* m = series(name, help, prometheus::MetricType::Histogram, labels);
  if (m == nullptr) return;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const double bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
    m->histogram.bucket.push_back({cumulative, bound});
  }
  m->histogram.sample_count = cumulative;
  m->histogram.sample_sum = sum;
}

}  // namespace hollywood::metrics::detail
